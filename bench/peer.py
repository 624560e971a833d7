#!/usr/bin/env python3
"""Times commands against a peer in one run, interleaved, and prints medians and ratios.

Used by the bench/*.sh scripts. Each case is a name plus two shell commands (Keel's and the
peer's); runs alternate keel, peer, keel, peer... so background noise hits both alike.
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def run_once(command: str, env=None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): {command}\n{result.stderr.decode(errors='replace')}")
    return elapsed


def peak_rss_kib(command: str) -> int:
    """Runs a command in a child and returns that child's peak RSS in KiB."""
    code = (
        "import resource,subprocess,sys;"
        "r=subprocess.run(sys.argv[1],shell=True,stdout=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode==0 else -1)"
    )
    out = subprocess.run([sys.executable, "-c", code, command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def compare(name: str, keel: str, peer: str, runs: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        run_once(keel)
        run_once(peer)
    keel_times, peer_times = [], []
    for _ in range(runs):
        keel_times.append(run_once(keel))
        peer_times.append(run_once(peer))
    k, p = statistics.median(keel_times), statistics.median(peer_times)
    return {"case": name, "keel_s": k, "peer_s": p, "ratio": k / p, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", nargs=3, action="append", metavar=("NAME", "KEEL", "PEER"), default=[])
    parser.add_argument("--rss", metavar="COMMAND", help="print the peak RSS of COMMAND in MiB and exit")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.rss:
        print(f"{peak_rss_kib(args.rss) / 1024:.1f}")
        return
    results = [compare(n, k, p, args.runs) for n, k, p in args.case]
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"{r['case']:<28} keel {r['keel_s']*1000:9.1f} ms   peer {r['peer_s']*1000:9.1f} ms   ratio keel/peer {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
