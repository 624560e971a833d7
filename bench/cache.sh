#!/usr/bin/env bash
# Binary caches and copying closures, keel against nix 2.8 in one run (details in bench/cache.py),
# on a generated closure of 500 store paths, ~500 MiB of word-like content (about 3:1 under xz):
#   (1) push the closure to a cache directory: `keel cache push` against `nix copy --to file://`,
#       xz then none, both signing; target keel/nix <= 0.5.
#   (2) substitute the closure into an empty store from nginx serving those caches over loopback
#       HTTP: `keel copy --from http://` against `nix copy --from http://`; target <= 0.5.
#   (3) copy the closure to an empty store on "another host" through a loopback sshd: `keel copy
#       --to ssh://` against `nix copy --to ssh://`; target <= 0.5.
# Medians over RUNS (default 3; XZ_RUNS, default 1, for the slow xz pushes; 0 skips xz). PARTS
# (default "push substitute ssh") runs some of the cases; substitute needs push. Needs root (each
# empty destination is a fresh directory bind-mounted over the source store's path in a private
# mount namespace, so both tools copy between stores with the same store directory), nix-bin,
# nginx-light and openssh-server (installed when missing), and ~6 GB free.
# Work goes under KEEL_BENCH_DIR (default /var/tmp/keel-bench)/cache, replaced each run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
XZ_RUNS=${XZ_RUNS:-1}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/cache

. bench/installed-keel.sh
if [[ "$("$KEEL" cache push --help 2>&1 || true)" != *"keel cache push"* ]]; then
  echo "bench: $KEEL has no 'cache push'; install the current keel with scripts/install.sh" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: needs root (private mount namespaces, sshd)" >&2
  exit 1
fi
need=()
command -v nix-store >/dev/null 2>&1 || need+=(nix-bin)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Left behind by a killed run: removed, then a minute's pause, since creating files soon after
# deleting many is several times slower on this file system.
if [ -e "$WORK" ]; then
  echo "== removing $WORK (left by an earlier run) and waiting a minute"
  rm -rf "$WORK"
  sleep 60
fi
trap 'rm -rf "$WORK"' EXIT
python3 bench/cache.py "$KEEL" "$WORK" "$RUNS" "$XZ_RUNS" "${PARTS:-push substitute ssh}"
