#!/usr/bin/env bash
# The declarative host with the installed keel, in one run:
#   (1) keel eval of a generated keel.toml with 200 agents and 200 small src packages
#       median, target < 150 ms
#   (2) keel switch --to N against nix-env -p PROFILE --switch-generation N, each on a
#       50-generation profile of the same system paths; each timed run switches from generation
#       49 to 50 (hyperfine --prepare switches back, untimed); medians and keel/nix, target <= 0.3
#   (3) keel switch of an unchanged keel.toml (nothing to build, no new generation)
#       median, target < 100 ms
# RUNS (default 30) runs each. Needs hyperfine and nix-bin. Work goes under
# KEEL_BENCH_DIR (default /var/tmp/keel-bench)/host, replaced each run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/host

. bench/installed-keel.sh

python3 - "$KEEL" "$WORK" "$RUNS" <<'PY'
import json, os, shutil, subprocess, sys
keel, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

def run(args, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:5])}... failed: {r.stderr.decode()[-2000:]}")
    return r.stdout.decode()

def hyperfine_median(command):
    out = os.path.join(work, "hyperfine.json")
    subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", "3", "--runs", str(runs),
                    "--export-json", out, command], check=True, stdout=subprocess.DEVNULL)
    return json.load(open(out))["results"][0]["median"] * 1000

# (1) and (3): 200 src packages, 200 agents.
big = os.path.join(work, "big")
lines = ['[host]', 'name = "bench"', '']
for i in range(200):
    src = os.path.join(big, "src", f"pkg{i}")
    os.makedirs(os.path.join(src, "bin"))
    with open(os.path.join(src, "bin", "run"), "w") as f:
        f.write(f"#!/bin/sh\necho agent {i}\nexec sleep 1000\n")
    os.chmod(os.path.join(src, "bin", "run"), 0o755)
    with open(os.path.join(src, "README"), "w") as f:
        f.write(f"package {i}\n" * 20)
    with open(os.path.join(src, ".gitignore"), "w") as f:
        f.write("*.log\n")
    with open(os.path.join(src, "debug.log"), "w") as f:
        f.write("left out\n")
    lines += [f'[packages.pkg{i}]', f'src = "./src/pkg{i}"', '']
for i in range(200):
    lines += [f'[agents.agent{i}]', f'command = ["${{packages.pkg{i}}}/bin/run", "--id", "{i}"]',
              f'env = {{ AGENT_ID = "{i}", DATA = "${{packages.pkg{i}}}/README" }}',
              f'packages = ["pkg{i}"]',
              'restart = { policy = "always", initial_backoff = "250ms", max_backoff = "30s" }',
              'health = { tcp = "127.0.0.1:8080", interval = "5s", timeout = "1s" }',
              'limits = { memory = "256M", pids = 64 }', 'stop_timeout = "5s"']
    if i > 0:
        lines.append(f'depends_on = ["agent{i - 1}"]')
    lines.append('')
config = os.path.join(big, "keel.toml")
with open(config, "w") as f:
    f.write("\n".join(lines))
root = os.path.join(work, "root")
eval_ms = hyperfine_median(f"{keel} eval -f {config} --root {root}")
run([keel, "switch", "-f", config, "--root", root])
unchanged_ms = hyperfine_median(f"{keel} switch -f {config} --root {root}")

# (2): a 50-generation profile, for keel and for nix-env.
small = os.path.join(work, "small")
os.makedirs(small)
switch_root = os.path.join(work, "switch-root")
paths = []
for n in range(1, 51):
    with open(os.path.join(small, "keel.toml"), "w") as f:
        f.write(f'[host]\nname = "bench"\n\n[agents.a]\ncommand = ["/bin/sleep", "{n}"]\n')
    out = json.loads(run([keel, "switch", "-f", os.path.join(small, "keel.toml"), "--root", switch_root, "--json"]))
    paths.append(out["path"])
nixroot = os.path.join(work, "nix")
for d in ("state", "log", "conf", "home", "cache"):
    os.makedirs(os.path.join(nixroot, d))
with open(os.path.join(nixroot, "conf", "nix.conf"), "w") as f:
    f.write("build-users-group =\nsubstituters =\n")
env = dict(PATH=os.environ["PATH"], NIX_STATE_DIR=f"{nixroot}/state", NIX_LOG_DIR=f"{nixroot}/log",
           NIX_CONF_DIR=f"{nixroot}/conf", HOME=f"{nixroot}/home", XDG_CACHE_HOME=f"{nixroot}/cache", NIX_REMOTE="")
profiles = os.path.join(work, "nix-profiles")
os.makedirs(profiles)
for n, path in enumerate(paths, start=1):
    os.symlink(path, os.path.join(profiles, f"system-{n}-link"))
os.symlink("system-50-link", os.path.join(profiles, "system"))
def hyperfine_switch(switch_to):
    # Every timed run really switches: --prepare first makes generation 49 current, then the run
    # switches to 50. Medians, hyperfine -N (no shell).
    out = os.path.join(work, "hyperfine-switch.json")
    subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", "3", "--runs", str(runs), "--export-json", out,
                    "--prepare", switch_to("49"), switch_to("50")], check=True, stdout=subprocess.DEVNULL, env=env)
    return json.load(open(out))["results"][0]["median"] * 1000
keel_switch = hyperfine_switch(lambda n: f"{keel} switch --to {n} --root {switch_root}")
nix_switch = hyperfine_switch(lambda n: f"nix-env -p {os.path.join(profiles, 'system')} --switch-generation {n}")

def verdict(ok):
    return "met" if ok else "MISSED"
print(f"(1) keel eval, 200 agents + 200 src packages   {eval_ms:7.1f} ms median   (target < 150 ms: {verdict(eval_ms < 150)})")
print(f"(2) keel switch --to N, 50 generations       {keel_switch:7.1f} ms median")
print(f"    nix-env --switch-generation N            {nix_switch:7.1f} ms median   keel/nix {keel_switch / nix_switch:.2f}"
      f"   (target <= 0.3: {verdict(keel_switch / nix_switch <= 0.3)})")
print(f"(3) keel switch, unchanged keel.toml          {unchanged_ms:7.1f} ms median   (target < 100 ms: {verdict(unchanged_ms < 100)})")
PY
