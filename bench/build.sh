#!/usr/bin/env bash
# Compares `keel build` with the real `nix-build` (nix 2.8), both with their sandboxes on, in one
# run, and prints the ratios keel/nix:
#   (1) one trivial derivation (its builder writes one file)            target <= 0.5
#   (2) a chain of 100 trivial derivations, -j2                          target <= 0.5
# Every run builds derivations neither tool has built before (a fresh token in each), already
# instantiated by nix-instantiate for a shared logical store directory; nix keeps them in its
# chroot store, keel gets them with `keel store import` (untimed). Medians of RUNS (default 5),
# keel and nix alternating. /bin/sh in both sandboxes is Debian's static busybox.
# Work goes under KEEL_BENCH_DIR (default /var/tmp/keel-bench)/build, replaced each run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/build

. bench/installed-keel.sh

python3 - "$KEEL" "$WORK" "$RUNS" <<'PY'
import os, shutil, statistics, subprocess, sys, time, uuid
keel, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.rmtree(work, ignore_errors=True)
store = os.path.join(work, "store")
nixroot = os.path.join(work, "nix")
for d in ("state", "log", "conf", "home", "cache", "chroot"):
    os.makedirs(os.path.join(nixroot, d))
with open(os.path.join(nixroot, "conf", "nix.conf"), "w") as f:
    f.write("experimental-features = nix-command\nsandbox = true\nsandbox-paths = /bin/sh=/bin/busybox\n"
            "build-users-group =\nsubstituters =\nrequire-sigs = false\n")
env = dict(PATH=os.environ["PATH"], NIX_STATE_DIR=f"{nixroot}/state", NIX_LOG_DIR=f"{nixroot}/log",
           NIX_CONF_DIR=f"{nixroot}/conf", HOME=f"{nixroot}/home", XDG_CACHE_HOME=f"{nixroot}/cache", NIX_REMOTE="")
nix_store = f"local?root={nixroot}/chroot&store={store}"
keel_args = ["--root", os.path.join(work, "keel"), "--store-dir", store]

def run(args, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:4])}... failed: {r.stderr.decode()[-2000:]}")
    return r.stdout

def trivial(name, token, deps=()):
    body = "echo " + token + " > $out" + "".join(f"; read x < ${{{d}}}" for d in deps)
    return (f'derivation {{ name = "{name}"; system = builtins.currentSystem; builder = "/bin/sh"; '
            f'args = [ "-c" "{body}" ]; }}')

# Instantiate everything once: 2*RUNS single derivations and 2*RUNS chains of 100.
bindings, tops = [], []
for r in range(runs):
    for tool in ("keel", "nix"):
        token = uuid.uuid4().hex
        bindings.append(f"single-{tool}-{r} = {trivial('single', token)};")
        tops.append(f"single-{tool}-{r}")
        prev = None
        for i in range(100):
            bindings.append(f"chain-{tool}-{r}-{i} = {trivial(f'chain-{i}', token, [f'chain-{tool}-{r}-{i-1}'] if i else [])};")
        tops.append(f"chain-{tool}-{r}-99")
expr = os.path.join(work, "bench.nix")
with open(expr, "w") as f:
    f.write("let\n" + "\n".join(bindings) + "\nin [ " + " ".join(tops) + " ]\n")
print(f"== instantiating {len(tops)} targets ({runs * 2 * 101} derivations)")
drvs = run(["nix-instantiate", "--store", nix_store, expr]).decode().split()
targets = dict(zip(tops, drvs))
closure = run(["nix-store", "--store", nix_store, "-qR"] + drvs).decode().split()
export = run(["nix-store", "--store", nix_store, "--export"] + closure)
subprocess.run([keel, "store", "import"] + keel_args, input=export, stdout=subprocess.DEVNULL, check=True)

def timed(args):
    start = time.perf_counter()
    run(args)
    return time.perf_counter() - start

def keel_build(drv, jobs):
    return timed([keel, "build", "-j", str(jobs), "--sandbox-paths", "/bin/sh=/bin/busybox"] + keel_args + [drv])

def nix_build(drv, jobs):
    return timed(["nix-build", "--store", nix_store, "--no-out-link", "-j", str(jobs), drv])

results = {}
for case, jobs in (("single", 1), ("chain", 2)):
    k, n = [], []
    for r in range(runs):
        suffix = f"-{r}" if case == "single" else f"-{r}-99"
        k.append(keel_build(targets[f"{case}-keel{suffix}"], jobs))
        n.append(nix_build(targets[f"{case}-nix{suffix}"], jobs))
    results[case] = (statistics.median(k), statistics.median(n))

verdict = lambda ok: "met" if ok else "MISSED"
print(f"{'case':<34}{'keel':>10}{'nix-build':>12}{'keel/nix':>10}")
for case, label in (("single", "(1) one trivial derivation"), ("chain", "(2) chain of 100, -j2")):
    k, n = results[case]
    ratio = k / n
    print(f"{label:<34}{k * 1000:>8.1f}ms{n * 1000:>10.1f}ms{ratio:>10.2f}  (target <= 0.5: {verdict(ratio <= 0.5)})")
PY
