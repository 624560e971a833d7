#!/usr/bin/env python3
"""Times Keel's local store against nix 2.8's, in one run, and prints the ratios keel/nix.

Steps are ordered so that no measured file creation follows a large deletion (ext4 here creates
files slowly for a minute after many deletes): adds and imports first, then exports (reads),
then garbage collections (deletes) last. Every measured add and import goes into a fresh store.
Usage: bench/store.py KEEL_BINARY WORK_DIR [RUNS]
"""
import os
import statistics
import struct
import subprocess
import sys
import time

KEEL, WORK = sys.argv[1], sys.argv[2]
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
SMALL, BIG = os.path.join(WORK, "small"), os.path.join(WORK, "big")
RUNDIR = os.path.join(WORK, f"store-runs-{os.getpid()}")
os.makedirs(RUNDIR)
counter = [0]


def fresh(prefix):
    counter[0] += 1
    path = os.path.join(RUNDIR, f"{prefix}{counter[0]}")
    os.makedirs(path)
    return path


def nix_env(root):
    for d in ("state", "log", "conf", "home"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    with open(os.path.join(root, "conf", "nix.conf"), "w") as f:
        f.write("experimental-features = nix-command\nsandbox = false\nbuild-users-group =\nsubstituters =\n")
    env = dict(os.environ)
    env.update(NIX_STORE_DIR=os.path.join(root, "store"), NIX_STATE_DIR=os.path.join(root, "state"),
               NIX_LOG_DIR=os.path.join(root, "log"), NIX_CONF_DIR=os.path.join(root, "conf"),
               HOME=os.path.join(root, "home"), NIX_REMOTE="")
    return env


def run(args, env=None, stdin=None, stdout=subprocess.DEVNULL):
    result = subprocess.run(args, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stderr.decode(errors='replace')}")
    return result


def timed(args, env=None, stdin_path=None):
    """Runs a command and returns its wall time. Dirty data is flushed first (untimed): keel
    makes its writes durable with syncfs, which would otherwise also write out whatever the
    previous step (nix's unsynced store, a freshly written stream) left in the page cache."""
    stdin = open(stdin_path, "rb") if stdin_path else None
    os.sync()
    start = time.perf_counter()
    run(args, env=env, stdin=stdin)
    elapsed = time.perf_counter() - start
    if stdin:
        stdin.close()
    return elapsed


def compare(name, keel_once, nix_once, target):
    """keel_once/nix_once: callables doing their own untimed setup and returning a measured time."""
    keel_once(); nix_once()  # warm-up
    ks, ns = [], []
    for _ in range(RUNS):
        ks.append(keel_once())
        ns.append(nix_once())
    k, n = statistics.median(ks), statistics.median(ns)
    verdict = "met" if k / n <= target else "MISSED"
    print(f"{name:<34} keel {k*1000:9.1f} ms  nix {n*1000:9.1f} ms  ratio {k/n:.3f}  (target <= {target}: {verdict})",
          flush=True)


def keel_add(tree):
    return lambda: timed([KEEL, "store", "add", tree, "--root", fresh("k")])


def nix_add(tree):
    return lambda: timed(["nix-store", "--add", tree], env=nix_env(fresh("n")))


def export_stream(nar_path, store_dir, name):
    """An export stream holding one path (the small tree, whose NAR is nar_path) for store_dir."""
    path = subprocess.run([KEEL, "store", "path-of", SMALL, "--name", name, "--store-dir", store_dir],
                          capture_output=True, check=True, text=True).stdout.strip()

    def s(b):
        return struct.pack("<Q", len(b)) + b + b"\0" * ((8 - len(b) % 8) % 8)

    out = os.path.join(RUNDIR, f"stream{counter[0]}-{name}")
    counter[0] += 1
    with open(out, "wb") as f, open(nar_path, "rb") as nar:
        f.write(struct.pack("<Q", 1))
        while chunk := nar.read(1 << 20):
            f.write(chunk)
        f.write(struct.pack("<Q", 0x4558494E) + s(path.encode()) + struct.pack("<Q", 0) + s(b"") + struct.pack("<Q", 0))
        f.write(struct.pack("<Q", 0))
    return out


def main():
    small_nar = os.path.join(RUNDIR, "small.nar")
    with open(small_nar, "wb") as f:
        run([KEEL, "nar", "dump", SMALL], stdout=f)

    print(f"== add (fresh store each run, median of {RUNS})", flush=True)
    compare("add: 10k small files", keel_add(SMALL), nix_add(SMALL), 0.6)
    compare("add: 20 files, 1 GiB", keel_add(BIG), nix_add(BIG), 1.0)

    kroot, nroot = fresh("kvalid"), fresh("nvalid")
    run([KEEL, "store", "add", SMALL, "--root", kroot])
    nenv = nix_env(nroot)
    run(["nix-store", "--add", SMALL], env=nenv)
    compare("add: content already valid", lambda: timed([KEEL, "store", "add", SMALL, "--root", kroot]),
            lambda: timed(["nix-store", "--add", SMALL], env=nenv), 0.05)

    print("== import (fresh store each run)", flush=True)

    def keel_import():
        root = fresh("ki")
        stream = export_stream(small_nar, os.path.join(root, "store"), "small")
        return timed([KEEL, "store", "import", "--root", root], stdin_path=stream)

    def nix_import():
        root = fresh("ni")
        stream = export_stream(small_nar, os.path.join(root, "store"), "small")
        return timed(["nix-store", "--import"], env=nix_env(root), stdin_path=stream)

    compare("import: 10k small files", keel_import, nix_import, 0.5)

    print("== export", flush=True)
    kpath = run([KEEL, "store", "add", SMALL, "--root", kroot], stdout=subprocess.PIPE).stdout.decode().strip()
    npath = run(["nix-store", "--add", SMALL], env=nenv, stdout=subprocess.PIPE).stdout.decode().strip()
    compare("export: 10k small files", lambda: timed([KEEL, "store", "export", kpath, "--root", kroot]),
            lambda: timed(["nix-store", "--export", npath], env=nenv), 0.5)

    print("== gc deleting 2,000 dead paths (deletes last)", flush=True)
    files = os.path.join(RUNDIR, "gcfiles")
    os.makedirs(files)
    names = []
    for i in range(2000):
        name = os.path.join(files, f"dead{i}")
        with open(name, "w") as f:
            f.write(f"dead path {i}\n" * 20)
        names.append(name)

    def keel_gc():
        root = fresh("kg")
        for start in range(0, len(names), 500):
            run([KEEL, "store", "add", "--root", root] + names[start:start + 500])
        return timed([KEEL, "store", "gc", "--root", root])

    def nix_gc():
        root = fresh("ng")
        env = nix_env(root)
        for start in range(0, len(names), 500):
            run(["nix-store", "--add"] + names[start:start + 500], env=env)
        return timed(["nix-store", "--gc"], env=env)

    compare("gc: 2,000 dead paths", keel_gc, nix_gc, 0.5)


if __name__ == "__main__":
    main()
