#!/usr/bin/env bash
# Start-up of the installed keel: `keel --version` through `hyperfine -N` (no shell), with
# `nix-store --version` beside it for scale; prints keel's median and the ratio.
#   target: keel --version <= 5 ms median
# Needs hyperfine (apt-get install hyperfine) and nix-bin.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/installed-keel.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
hyperfine -N --style none --warmup 20 --runs "${RUNS:-300}" --export-json "$out" "$KEEL --version" "nix-store --version" >/dev/null
python3 - "$out" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
keel, nix = (r["median"] * 1000 for r in results)
verdict = "met" if keel <= 5.0 else "MISSED"
print(f"keel --version   {keel:6.2f} ms median   (target <= 5 ms: {verdict})")
print(f"nix-store --version {nix:6.2f} ms median   keel/nix {keel / nix:.2f}")
PY
