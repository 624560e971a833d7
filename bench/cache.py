#!/usr/bin/env python3
"""Times keel's binary cache and copy commands against nix 2.8's, in one run; prints one table.

The closure: bench/gen_image_closure.py's 500 store paths, configured to ~500 MiB of word-like
content, imported into a keel store (`keel store import`) and into a private nix store
(`nix-store --import`), each under WORK/<tool>/store. Every empty destination store is a fresh
directory bind-mounted over WORK/<tool> in a private mount namespace (`unshare -m`), so the
destination has the same store directory as the source (store paths are absolute) and nothing
is ever deleted between measurements (ext4 here creates files slowly for a minute after many
deletes).

(1) push: `keel cache push DIR TOP --compression C --key K` against
    `nix copy --to 'file://DIR?compression=C&secret-key=K' TOP`, C = xz then none, a fresh DIR
    each run.
(2) substitute: nginx serves the caches of (1) on a loopback port; `keel copy --from
    http://…/CACHE TOP --trusted-public-keys PUB` against `nix copy --from http://…/CACHE TOP`
    (trusted-public-keys set), each into an empty store.
(3) ssh: a loopback sshd (throwaway keys); `keel copy --to ssh://root@127.0.0.1:PORT TOP` against
    `nix copy --to ssh://root@127.0.0.1 TOP` (nix-store --serve on the far side, NIX_SSHOPTS for
    the port), each into an empty store on the far side.

Usage: bench/cache.py KEEL_BINARY WORK_DIR RUNS XZ_RUNS [PARTS]
PARTS (default "push substitute ssh") picks the cases; substitute needs push (its caches).
XZ_RUNS=0 leaves out the xz cases.
"""
import os
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_image_closure  # noqa: E402

KEEL, WORK, RUNS, XZ_RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
PARTS = (sys.argv[5] if len(sys.argv) > 5 else "push substitute ssh").split()
if not set(PARTS) <= {"push", "substitute", "ssh"} or ("substitute" in PARTS and "push" not in PARTS):
    sys.exit("bench: PARTS is some of push, substitute, ssh (substitute needs push)")
KEEL_ROOT = os.path.join(WORK, "keel")
NIX_ROOT = os.path.join(WORK, "nix")
CLOSURE_BYTES = 500 << 20


def run(args, env=None, stdin=None, stdout=subprocess.PIPE):
    result = subprocess.run(args, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.exit(f"bench: failed: {' '.join(args)}\n{result.stderr.decode(errors='replace')[-3000:]}")
    return result.stdout.decode(errors="replace") if stdout == subprocess.PIPE else ""


def warm_memory(gib=3):
    """Touches fresh memory once (the VM's memory is backed lazily: see bench/image.py)."""
    import mmap
    size = gib << 30
    memory = mmap.mmap(-1, size)
    for offset in range(0, size, 4096):
        memory[offset] = 1
    memory.close()


def timed(args, env=None):
    os.sync()
    warm_memory()
    start = time.perf_counter()
    run(args, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def nix_env(root):
    """A private nix under `root` (its store at ROOT/store), as the tests' NixOracle makes."""
    for directory in ("state", "log", "conf", "home", "cache"):
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    with open(os.path.join(root, "conf", "nix.conf"), "w") as f:
        f.write("experimental-features = nix-command\nsandbox = false\nbuild-users-group =\n"
                "substituters =\n")
    return dict(os.environ, NIX_STORE_DIR=os.path.join(root, "store"), NIX_STATE_DIR=f"{root}/state",
                NIX_LOG_DIR=f"{root}/log", NIX_CONF_DIR=f"{root}/conf", HOME=f"{root}/home",
                XDG_CACHE_HOME=f"{root}/cache", NIX_REMOTE="")


def in_fresh(mount_point, fresh, args):
    """`args`, run with the directory `fresh` (made empty if missing) bind-mounted over
    `mount_point`."""
    os.makedirs(fresh, exist_ok=True)
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" "$1" && shift && exec "$@"', fresh, mount_point, *args]


def import_closure():
    """Imports the generated closure into the keel store and the nix store; returns the tops."""
    gen_image_closure.configure(CLOSURE_BYTES, compressible=True)
    keel = subprocess.Popen([KEEL, "store", "import", "--root", KEEL_ROOT], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=1 << 20)
    keel_top = gen_image_closure.write(keel.stdin, os.path.join(KEEL_ROOT, "store"))
    keel.stdin.close()
    if keel.wait() != 0:
        sys.exit(f"bench: keel store import failed:\n{keel.stderr.read().decode(errors='replace')}")
    nix = subprocess.Popen(["nix-store", "--import"], env=nix_env(NIX_ROOT), stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=1 << 20)
    nix_top = gen_image_closure.write(nix.stdin, os.path.join(NIX_ROOT, "store"))
    nix.stdin.close()
    if nix.wait() != 0:
        sys.exit(f"bench: nix-store --import failed:\n{nix.stderr.read().decode(errors='replace')}")
    return keel_top, nix_top


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(root):
    port = free_port()
    conf = os.path.join(WORK, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"daemon off; pid {WORK}/nginx.pid; error_log stderr; worker_processes 1;\n"
                "events {}\nhttp { access_log off; sendfile on;\n"
                f"  server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n")
    process = subprocess.Popen(["/usr/sbin/nginx", "-c", conf, "-p", WORK], stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return process, port


def start_sshd():
    directory = os.path.join(WORK, "ssh")
    os.makedirs(directory)
    os.makedirs("/run/sshd", exist_ok=True)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{directory}/host_key"])
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{directory}/user_key"])
    with open(f"{directory}/user_key.pub") as f, open(f"{directory}/authorized_keys", "w") as g:
        g.write(f.read())
    port = free_port()
    with open(f"{directory}/sshd_config", "w") as f:
        f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {directory}/host_key\n"
                f"AuthorizedKeysFile {directory}/authorized_keys\nPermitRootLogin prohibit-password\n"
                "StrictModes no\nUsePAM no\nPidFile none\nPasswordAuthentication no\n"
                "KbdInteractiveAuthentication no\n")
    process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", f"{directory}/sshd_config"],
                               stderr=subprocess.DEVNULL)
    wait_for_port(port)
    options = (f"-p {port} -i {directory}/user_key -o UserKnownHostsFile={directory}/known_hosts "
               "-o StrictHostKeyChecking=accept-new -o BatchMode=yes")
    return process, port, options


def wait_for_port(port):
    for _ in range(500):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.01)
    sys.exit(f"bench: nothing listens on 127.0.0.1:{port}")


def wrapper(name, body):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def main():
    os.makedirs(WORK)
    print(f"== importing the generated closure (500 paths, ~{CLOSURE_BYTES >> 20} MiB) into a keel "
          "and a nix store", flush=True)
    keel_top, nix_top = import_closure()
    keys = os.path.join(WORK, "keys")
    os.makedirs(keys)
    run(["nix-store", "--generate-binary-cache-key", "bench-1", f"{keys}/secret", f"{keys}/public"],
        env=nix_env(os.path.join(WORK, "keygen")))
    public = open(f"{keys}/public").read().strip()
    caches = os.path.join(WORK, "caches")
    os.makedirs(caches)
    rows = []

    compressions = ("xz", "none") if XZ_RUNS > 0 else ("none",)
    for compression, runs in (("xz", XZ_RUNS), ("none", RUNS)) if "push" in PARTS else ():
        if runs == 0:
            continue
        print(f"== (1) push, {compression} ({runs} runs each, alternating)", flush=True)
        keel_times, nix_times = [], []
        for i in range(runs):
            keel_times.append(timed([KEEL, "cache", "push", f"{caches}/keel-{compression}-{i}", keel_top,
                                     "--root", KEEL_ROOT, "--compression", compression,
                                     "--key", f"{keys}/secret"]))
            nix_times.append(timed(["nix", "copy", "--to",
                                    f"file://{caches}/nix-{compression}-{i}?compression={compression}"
                                    f"&secret-key={keys}/secret", nix_top], env=nix_env(NIX_ROOT)))
        print(f"   keel {' '.join(f'{t:.2f}' for t in keel_times)} s, "
              f"nix {' '.join(f'{t:.2f}' for t in nix_times)} s", flush=True)
        rows.append((f"(1) push to a directory, {compression}", statistics.median(keel_times),
                     statistics.median(nix_times), 0.5))

    nginx, http_port = start_nginx(caches)
    try:
        for compression in compressions if "substitute" in PARTS else ():
            print(f"== (2) substitute over loopback HTTP from nginx, {compression} ({RUNS} runs each)",
                  flush=True)
            keel_times, nix_times = [], []
            for i in range(RUNS):
                url = f"http://127.0.0.1:{http_port}"
                keel_times.append(timed(in_fresh(KEEL_ROOT, f"{WORK}/sub-keel-{compression}-{i}", [
                    KEEL, "copy", "--from", f"{url}/keel-{compression}-0", keel_top, "--root", KEEL_ROOT,
                    "--trusted-public-keys", public])))
                fresh = f"{WORK}/sub-nix-{compression}-{i}"
                nix_env(fresh)  # its directories and nix.conf, seen at NIX_ROOT once mounted
                nix_times.append(timed(in_fresh(NIX_ROOT, fresh, [
                    "nix", "copy", "--from", f"{url}/nix-{compression}-0", nix_top,
                    "--option", "trusted-public-keys", public]), env=nix_env(NIX_ROOT)))
            print(f"   keel {' '.join(f'{t:.2f}' for t in keel_times)} s, "
                  f"nix {' '.join(f'{t:.2f}' for t in nix_times)} s", flush=True)
            rows.append((f"(2) substitute from nginx, {compression}", statistics.median(keel_times),
                         statistics.median(nix_times), 0.5))
    finally:
        nginx.terminate()
        nginx.wait()

    if "ssh" in PARTS:
        sshd, ssh_port, ssh_options = start_sshd()
        try:
            print(f"== (3) copy over loopback ssh ({RUNS} runs each)", flush=True)
            keel_times, nix_times = [], []
            for i in range(RUNS):
                fresh = f"{WORK}/ssh-keel-{i}"
                os.makedirs(fresh)
                far_keel = wrapper(f"far-keel-{i}", f'exec unshare -m --propagation private sh -c '
                                   f'\'mount --bind "$0" "$1" && shift && exec "$@"\' {fresh} {KEEL_ROOT} '
                                   f'{KEEL} "$@"\n')
                env = dict(os.environ, KEEL_SSHOPTS=ssh_options)
                keel_times.append(timed([KEEL, "copy", "--to", f"ssh://root@127.0.0.1:{ssh_port}", keel_top,
                                         "--root", KEEL_ROOT, "--remote-keel", far_keel,
                                         "--remote-root", KEEL_ROOT], env=env))
                fresh = f"{WORK}/ssh-nix-{i}"
                nix_env(fresh)
                far_env = " ".join(f"{k}={v}" for k, v in nix_env(NIX_ROOT).items()
                                   if k.startswith("NIX_") or k in ("HOME", "XDG_CACHE_HOME"))
                far_nix = wrapper(f"far-nix-{i}", f'exec env {far_env} unshare -m --propagation private '
                                  f'sh -c \'mount --bind "$0" "$1" && shift && exec "$@"\' {fresh} {NIX_ROOT} '
                                  'nix-store "$@"\n')
                env = dict(nix_env(NIX_ROOT), NIX_SSHOPTS=ssh_options)
                nix_times.append(timed(["nix", "copy", "--to",
                                        f"ssh://root@127.0.0.1?remote-program={far_nix}", nix_top], env=env))
            print(f"   keel {' '.join(f'{t:.2f}' for t in keel_times)} s, "
                  f"nix {' '.join(f'{t:.2f}' for t in nix_times)} s", flush=True)
            rows.append(("(3) copy to another store over ssh", statistics.median(keel_times),
                         statistics.median(nix_times), 0.5))
        finally:
            sshd.terminate()
            sshd.wait()

    print(f"\n== binary caches, 500 paths ~{CLOSURE_BYTES >> 20} MiB: medians")
    print(f"{'':<42} {'keel':>9} {'nix 2.8':>9} {'ratio':>6}  target")
    for label, mine, theirs, target in rows:
        ratio = mine / theirs
        print(f"{label:<42} {mine:8.2f}s {theirs:8.2f}s {ratio:6.3f}  <= {target} "
              + ("met" if ratio <= target else "MISSED"))


if __name__ == "__main__":
    main()
