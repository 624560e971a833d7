#!/usr/bin/env bash
# keel image build, in one run (details in bench/image.py):
#   (1) an image of a generated closure of 500 store paths, ~1 GiB (bench/gen_image_closure.py,
#       imported with keel store import), uncompressed layers and an empty layer cache, against
#       the floor of one read and one SHA-256 pass: tar -cf - PATHS | openssl dgst -sha256.
#       Medians over RUNS (default 3); target keel/floor <= 1.3. Also printed, for reference: the
#       same floor plus writing the bytes to a file durably (tee, sync), as a builder must.
#   (2) the rebuild after one small path changed, with the cache (1) left: target <= 5% of (1).
#   (3) the size of a small Python agent's image (Debian's python3.11, as keel demo's web agent)
#       against debootstrap --variant=minbase plus apt-get install of the same Python and the same
#       app file, as a tar: target <= 0.30. SIZE=0 skips it (debootstrap downloads ~40 MB);
#       KEEP_DEBOOTSTRAP=DIR reuses the root in DIR, or leaves the one it makes there.
# Needs ~10 GB free, apt lists (apt-get update), and for (3) debootstrap (installed when root).
# Work goes under KEEL_BENCH_DIR (default /var/tmp/keel-bench)/image, replaced each run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE=${SIZE:-1}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/image

. bench/installed-keel.sh
# (A keel without it prints its top-level help, status 0, for `image build --help`.)
if [[ "$("$KEEL" image build --help 2>&1 || true)" != *"keel image build"* ]]; then
  echo "bench: $KEEL has no 'image build'; install the current keel with scripts/install.sh" >&2
  exit 1
fi
if [ "$SIZE" = 1 ] && ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  else
    echo "bench: part (3) needs debootstrap (apt-get install debootstrap), or run with SIZE=0" >&2
    exit 1
  fi
fi
if [ "$SIZE" = 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "bench: part (3) runs debootstrap and chroot, which need root; or run with SIZE=0" >&2
  exit 1
fi

# Left behind by a killed run: removed, then a minute's pause, since creating files soon after
# deleting many is several times slower on this file system.
if [ -e "$WORK" ]; then
  echo "== removing $WORK (left by an earlier run) and waiting a minute"
  rm -rf "$WORK"
  sleep 60
fi
trap 'rm -rf "$WORK"' EXIT
python3 bench/image.py "$KEEL" "$WORK" "$RUNS" "$SIZE"
