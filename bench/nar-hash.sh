#!/usr/bin/env bash
# Compares `keel hash path` with `nix hash path` on two generated trees, in one run:
#   (a) ~10,000 files of 1-8 KiB in nested directories   target: ratio keel/nix <= 0.60
#   (b) 20 files totalling ~1 GiB                          target: ratio <= 0.95 and >= 90% of
#       the single-core SHA-256 speed `openssl speed -evp sha256` measures in the same run
# and keel's peak RSS while hashing a 4 GiB (sparse) file     target: < 64 MiB.
# Runs are interleaved (keel, nix, keel, nix, ...) and the median of RUNS (default 7) is taken.
# Trees are generated once under KEEL_BENCH_DIR (default /var/tmp/keel-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}
NIX="nix --extra-experimental-features nix-command"

. bench/installed-keel.sh

echo "== generating trees in $WORK (once)"
python3 bench/gen_trees.py "$WORK"
cd "$WORK"

echo "== keel hash path vs nix hash path (median of $RUNS interleaved runs)"
[ "$($KEEL hash path small)" = "$($NIX hash path small)" ] || { echo "hash mismatch on small" >&2; exit 1; }
[ "$($KEEL hash path big)" = "$($NIX hash path big)" ] || { echo "hash mismatch on big" >&2; exit 1; }
results=$(python3 "$OLDPWD/bench/peer.py" --json --runs "$RUNS" \
  --case "(a) 10k small files" "$KEEL hash path small" "$NIX hash path small" \
  --case "(b) 20 files, 1 GiB" "$KEEL hash path big" "$NIX hash path big")

openssl_kbs=$(openssl speed -seconds 3 -bytes 1048576 -evp sha256 2>/dev/null | awk '/^sha256/ {print $2}' | tr -d k)
nar_size=$($KEEL nar dump big | wc -c)
rss=$(python3 "$OLDPWD/bench/peer.py" --rss "$KEEL hash path sparse4g")

python3 - "$results" "$openssl_kbs" "$nar_size" "$rss" <<'PY'
import json, sys
results, openssl_kbs, nar_size, rss = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
small, big = results
openssl = openssl_kbs * 1000 / 2**30
keel_tp = nar_size / big["keel_s"] / 2**30
def verdict(ok): return "met" if ok else "MISSED"
print(f"(a) 10k small files   keel {small['keel_s']*1000:7.1f} ms  nix {small['peer_s']*1000:7.1f} ms  ratio {small['ratio']:.2f}  (target <= 0.60: {verdict(small['ratio'] <= 0.60)})")
print(f"(b) 20 files, 1 GiB   keel {big['keel_s']*1000:7.1f} ms  nix {big['peer_s']*1000:7.1f} ms  ratio {big['ratio']:.2f}  (target <= 0.95: {verdict(big['ratio'] <= 0.95)})")
print(f"    keel throughput on (b) {keel_tp:.2f} GiB/s; openssl speed -evp sha256 {openssl:.2f} GiB/s; {keel_tp/openssl*100:.0f}% (target >= 90%: {verdict(keel_tp >= 0.9*openssl)})")
print(f"peak RSS hashing a 4 GiB file: {rss:.1f} MiB (target < 64 MiB: {verdict(rss < 64)})")
PY
