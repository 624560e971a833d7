#!/usr/bin/env bash
# Agent runtimes with the installed keel, in one run:
#   (1) realising a Python + NumPy runtime (python3.11-minimal, libpython3.11-stdlib, libstdc++6
#       and what they need from Debian; numpy 2.1.3 from PyPI) into an empty store, the .debs
#       and the wheel already downloaded (keel's cache), against the floor a Dockerfile pays for
#       the same files: `dpkg-deb -x` of the same .debs plus `pip install --no-deps` of the same
#       wheel into a directory. Medians over RUNS (default 5) and keel/peer, target <= 1.0.
#   (2) the size of what each leaves: the runtime's store paths (bytes on disk, hard links
#       counted once) against debootstrap --variant=minbase plus the same apt-get install and
#       pip install in it (SIZE=0 skips this part: debootstrap downloads ~40 MB and takes minutes).
# Needs apt lists (apt-get update), python3-pip, and for (2) debootstrap (installed when root).
# Work goes under KEEL_BENCH_DIR (default /var/tmp/keel-bench)/runtimes, replaced each run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZE=${SIZE:-1}
WORK=${KEEL_BENCH_DIR:-/var/tmp/keel-bench}/runtimes

. bench/installed-keel.sh
if [ "$SIZE" = 1 ] && ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  else
    echo "bench: part (2) needs debootstrap (apt-get install debootstrap), or run with SIZE=0" >&2
    exit 1
  fi
fi

python3 - "$KEEL" "$WORK" "$RUNS" "$SIZE" <<'PY'
import glob, os, shutil, statistics, subprocess, sys, time
keel, work, runs, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
cache = os.path.join(work, "cache")
env = dict(os.environ, KEEL_CACHE_DIR=cache)

def run(args, **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:6])}... failed: {r.stderr.decode()[-2000:]}")
    return r.stdout.decode()

config = os.path.join(work, "keel.toml")
with open(config, "w") as f:
    f.write('[host]\nname = "bench-runtimes"\n\n'
            '[packages.py]\ndebian = ["python3.11-minimal", "libpython3.11-stdlib", "libstdc++6"]\n\n'
            '[packages.ml]\npython = "py"\nwheels = ["numpy==2.1.3"]\n\n'
            '[agents.ml]\ncommand = ["python3.11", "-c", "import numpy"]\npackages = ["ml"]\n'
            'restart = { policy = "never" }\n')
print("== locking (keel lock: apt lists, pip download of the wheels into the cache)", flush=True)
run([keel, "lock", "-f", config], env=env)
print("== warming the cache (one build downloads the .debs)", flush=True)
run([keel, "switch", "-f", config, "--root", os.path.join(work, "warm")], env=env)
debs = sorted(glob.glob(os.path.join(cache, "debs", "*", "*.deb")))
wheels = sorted(glob.glob(os.path.join(cache, "wheels", "*", "*.whl")))
print(f"   {len(debs)} .debs, {len(wheels)} wheel(s), "
      f"{sum(os.path.getsize(p) for p in debs + wheels) / 2**20:.1f} MiB downloaded", flush=True)

def keel_once(i):
    root = os.path.join(work, f"keel-{i}")
    start = time.perf_counter()
    run([keel, "switch", "-f", config, "--root", root], env=env)
    return time.perf_counter() - start

def peer_once(i):
    target = os.path.join(work, f"peer-{i}")
    os.makedirs(target)
    start = time.perf_counter()
    for deb in debs:
        run(["dpkg-deb", "-x", deb, target])
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--no-compile",
         "--disable-pip-version-check", "--prefix", os.path.join(target, "usr", "local"), *wheels],
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return time.perf_counter() - start

# Every measured run creates fresh trees; nothing is deleted until the end (on this file system
# creating many files soon after deleting many is several times slower).
keel_times, peer_times = [], []
for i in range(runs):
    keel_times.append(keel_once(i))
    peer_times.append(peer_once(i))
k, p = statistics.median(keel_times), statistics.median(peer_times)
print("(1) realising the Python + NumPy runtime from downloaded files "
      f"({runs} runs each, alternating)")
print(f"    keel switch (unpack, install, environment, store)   median {k * 1000:8.0f} ms")
print(f"    dpkg-deb -x each .deb + pip install --no-deps       median {p * 1000:8.0f} ms")
print(f"    keel/peer {k / p:.2f}   (target <= 1.0: {'met' if k / p <= 1.0 else 'MISSED'})", flush=True)

def disk_bytes(paths):
    seen, total = set(), 0
    for top in paths:
        for directory, dirs, files in os.walk(top):
            for name in files + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
                st = os.lstat(os.path.join(directory, name))
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total

store = os.path.join(work, "keel-0", "store")
runtime_paths = [os.path.join(store, n) for n in os.listdir(store)
                 if n[33:].startswith(("deb-", "wheel-")) or n[33:] in ("py", "ml")]
keel_size = disk_bytes(runtime_paths)
print("(2) what a Python + NumPy runtime occupies")
print(f"    keel: the runtime's store paths (.debs unpacked, wheel, environments)  {keel_size / 2**20:8.1f} MiB")
if size:
    chroot = os.path.join(work, "debootstrap")
    print("== debootstrap --variant=minbase bookworm (downloads ~40 MB)", flush=True)
    run(["debootstrap", "--variant=minbase", "bookworm", chroot])
    run(["chroot", chroot, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
         "python3.11-minimal", "libpython3.11-stdlib", "libstdc++6"],
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--no-compile",
         "--disable-pip-version-check", "--target",
         os.path.join(chroot, "usr", "local", "lib", "python3.11", "dist-packages"), *wheels],
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    run(["chroot", chroot, "apt-get", "clean"])
    base = disk_bytes([chroot])
    print(f"    debootstrap minbase + the same apt-get install + numpy                 {base / 2**20:8.1f} MiB")
    print(f"    keel/debootstrap {keel_size / base:.2f}")
PY
rm -rf "$WORK"
