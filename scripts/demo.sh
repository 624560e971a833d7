#!/usr/bin/env bash
# Keel's main job on its embedded defaults: `keel demo` (a daemon runs two sample agents in a
# temporary root; a broken deploy follows and SafeSwitch rolls it back by itself, with timings;
# then the audit ledger). Arguments are passed on (`--keep` keeps the temporary root).
#
# Uses KEEL when set, else the `keel` on PATH; when there is none, or it predates `keel demo`,
# builds and installs it first (scripts/install.sh, into /usr/local, or ~/.local as a user).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KEEL:-}" ]; then
  if ! command -v keel >/dev/null 2>&1 || [[ "$(keel demo --help 2>/dev/null)" != *"USAGE: keel demo"* ]]; then
    if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
    scripts/install.sh "$prefix"
    export PATH="$prefix/bin:$PATH"
  fi
  KEEL=$(command -v keel)
fi
exec "$KEEL" demo "$@"
