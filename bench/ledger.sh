#!/usr/bin/env bash
# Measures the audit ledger against its targets, in one run:
#   (1) append throughput, durable: 4 concurrent `keel ledger append --jsonl` writers of 250,000
#       entries each into a fresh ledger                         target >= 20,000 entries/s
#   (2) `keel ledger verify` of the resulting 1,000,000 entries  target <= 3 s
#   (3) an inclusion proof for a random entry of 1,000,000         target <= 5 ms
#       reported two ways: the whole `keel ledger prove SEQ` command (start-up and argument
#       parsing included; `keel --version` shows that floor), and the proof work alone, taken as
#       the marginal cost per entry of `keel ledger prove` given 201 random entries vs 1.
# next to `openssl speed -evp sha256` measured in the same run (what one core hashes here).
# Medians of RUNS (default 5) for (2) and of 25 random entries for (3).
# Inputs are generated once under KEEL_BENCH_DIR (default /var/tmp/keel-bench)/ledger.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/ledger

. bench/installed-keel.sh

echo "== generating 4 x 250,000 entries of JSON Lines in $WORK (once)"
python3 bench/gen_ledger_input.py "$WORK"

python3 - "$KEEL" "$WORK" "$RUNS" <<'PY'
import os, random, shutil, statistics, subprocess, sys, time
keel, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
root = os.path.join(work, "root")
shutil.rmtree(root, ignore_errors=True)

start = time.perf_counter()
writers = [subprocess.Popen([keel, "ledger", "append", "--root", root, "--jsonl", os.path.join(work, f"writer-{i}.jsonl")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(4)]
for w in writers:
    out, err = w.communicate()
    if w.returncode != 0:
        sys.exit(f"append failed: {err.decode()}")
append_s = time.perf_counter() - start
rate = 1_000_000 / append_s

def timed(args):
    t = time.perf_counter()
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stdout.decode()}{r.stderr.decode()}")
    return elapsed, r.stdout.decode()

verify_times, summary = [], ""
for _ in range(runs):
    elapsed, summary = timed([keel, "ledger", "verify", "--root", root])
    verify_times.append(elapsed)
verify_s = statistics.median(verify_times)

rng = random.Random(7)
prove_times, floor_times, one_times, many_times = [], [], [], []
for _ in range(25):
    seq = rng.randint(1, 1_000_000)
    prove_times.append(timed([keel, "ledger", "prove", "--root", root, str(seq)])[0])
    floor_times.append(timed([keel, "--version"])[0])
many = [str(rng.randint(1, 1_000_000)) for _ in range(201)]
for _ in range(9):
    one_times.append(timed([keel, "ledger", "prove", "--root", root, many[0]])[0])
    many_times.append(timed([keel, "ledger", "prove", "--root", root] + many)[0])
prove_ms = statistics.median(prove_times) * 1000
floor_ms = statistics.median(floor_times) * 1000
marginal_ms = (statistics.median(many_times) - statistics.median(one_times)) / 200 * 1000

openssl = subprocess.run(["openssl", "speed", "-seconds", "3", "-bytes", "1048576", "-evp", "sha256"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
kbs = next(float(line.split()[1].rstrip("k")) for line in openssl.splitlines() if line.startswith("sha256"))
size = sum(os.path.getsize(os.path.join(root, "ledger", f)) for f in ("entries", "nodes", "checkpoints"))
verdict = lambda ok: "met" if ok else "MISSED"
print(summary.strip())
print(f"(1) append, 4 writers x 250,000 durable  {append_s:6.2f} s  {rate:,.0f} entries/s  (target >= 20,000: {verdict(rate >= 20000)})")
print(f"(2) verify 1,000,000 entries            {verify_s:6.2f} s  ({size / 2**20:.0f} MiB read)  (target <= 3 s: {verdict(verify_s <= 3)})")
print(f"(3) inclusion proof of a random entry   {marginal_ms:6.2f} ms of proof work  (target <= 5 ms: {verdict(marginal_ms <= 5)})")
print(f"    whole `keel ledger prove` command      {prove_ms:6.2f} ms  (start-up floor, `keel --version`: {floor_ms:.2f} ms)")
print(f"    openssl speed -evp sha256: {kbs * 1000 / 2**30:.2f} GiB/s on one core")
PY
