#!/usr/bin/env bash
# Compares Keel's local store with nix 2.8's in one run: add (small tree, 1 GiB tree, content
# already valid), import, export and gc of 2,000 dead paths; prints the ratios keel/nix.
# Uses the same trees as bench/nar-hash.sh, under KEEL_BENCH_DIR (default /var/tmp/keel-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}
. bench/installed-keel.sh
python3 bench/gen_trees.py "$WORK"
python3 bench/store.py "$KEEL" "$WORK" "$RUNS"
echo "(the stores made by this run are under $WORK/store-runs-*; remove them when done)"
