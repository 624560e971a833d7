#!/usr/bin/env python3
"""Times `keel image build` and sizes its images, in one run, and prints one table of ratios.

(1) An image of the closure bench/gen_image_closure.py generates (500 store paths, ~1 GiB),
    uncompressed layers, empty layer cache and fresh OUT each run, against the floor of one
    read and one SHA-256 pass over the same paths: `tar -cf - PATHS | openssl dgst -sha256`.
    For reference (no target), also against that plus writing the bytes durably (tee to a file,
    sync), which a builder writing its layers pays too.
(2) The rebuild after one small path changed (a new version of a small leaf and a new top
    referring to it), into a fresh OUT with the layer cache the first build of (1) left.
(3) The size of a small Python agent's image (Debian's python3.11 as in `keel demo`'s web
    agent, and its app file), the sum of its layer blobs, against a Dockerfile-style root:
    debootstrap --variant=minbase bookworm plus `apt-get install` of the same Python packages
    and the same app file, as an uncompressed tar. SIZE=0 skips it; KEEP_DEBOOTSTRAP=DIR reuses
    (or leaves behind) the debootstrap root.

Steps are ordered so that no measured file creation follows a large deletion (ext4 here creates
files slowly for a minute after many deletes): the closure is imported, the floor (which creates
nothing) and the first builds alternate, each build into a new cache and OUT directory, then the
rebuilds; nothing is deleted until the end (bench/image.sh removes the work directory).
Usage: bench/image.py KEEL_BINARY WORK_DIR RUNS SIZE
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_image_closure  # noqa: E402

KEEL, WORK, RUNS, SIZE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
ROOT = os.path.join(WORK, "root")
STORE = os.path.join(ROOT, "store")
SERVER = """\
# A small web agent (the same program as keel demo's web), run by Debian's Python 3.11.
import http.server
import sys

host, port = sys.argv[1], int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\\n" if self.path == "/health" else b"hello from an image built by keel\\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer((host, port), Handler).serve_forever()
"""
PYTHON_PACKAGES = ["python3.11-minimal", "libpython3.11-stdlib"]  # keel demo's web runtime
PYTHON_LEAVE_OUT = ["/usr/lib/x86_64-linux-gnu/gconv"]  # and what it leaves out (glibc's iconv modules)


def run(args, env=None, stdin=None, stdout=subprocess.PIPE, shell=False):
    result = subprocess.run(args, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, shell=shell)
    if result.returncode != 0:
        shown = args if shell else " ".join(args)
        sys.exit(f"bench: failed: {shown}\n{result.stderr.decode(errors='replace')[-3000:]}")
    return result.stdout.decode(errors="replace") if stdout == subprocess.PIPE else ""


def warm_memory(gib=3):
    """Touches `gib` GiB of fresh memory once and frees it. On a VM whose memory the hypervisor
    backs lazily (this machine is one: Firecracker, with DAMON handing idle memory back), the
    first write into guest memory never used before costs a hypervisor fault per page: writing
    1 GiB of new page cache took 2.5 s cold and 0.2 s warm with dd here. Warming before every
    timed command, for keel and the references alike, measures the tools, not the hypervisor."""
    import mmap
    size = gib << 30
    memory = mmap.mmap(-1, size)
    for offset in range(0, size, 4096):
        memory[offset] = 1
    memory.close()


def timed(args, env=None, shell=False):
    """Wall time of a command. Dirty data is flushed first and memory warmed (both untimed), so
    that a command pays neither for what an earlier step left in the page cache nor for the
    hypervisor's first touch of memory (see warm_memory)."""
    os.sync()
    warm_memory()
    start = time.perf_counter()
    run(args, env=env, stdout=subprocess.DEVNULL, shell=shell)
    return time.perf_counter() - start


def import_stream(variant):
    """Pipes the generator's stream (variant 0: the closure; else a changed leaf and top) into
    `keel store import`; returns the top's store path."""
    process = subprocess.Popen([KEEL, "store", "import", "--root", ROOT], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=1 << 20)
    try:
        top = gen_image_closure.write(process.stdin, STORE, variant)
        process.stdin.close()
    except BrokenPipeError:
        top = None
    error = process.stderr.read().decode(errors="replace")
    if process.wait() != 0 or top is None:
        sys.exit(f"bench: keel store import of the generated closure failed:\n{error[-3000:]}")
    return top


def layers(layout):
    """The layer descriptors of the (single) image in an OCI image layout directory."""
    with open(os.path.join(layout, "index.json")) as f:
        digest = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join(layout, "blobs", *digest.split(":", 1))) as f:
        return json.load(f)["layers"]


def build(top, name, cache):
    out = os.path.join(WORK, name)
    os.makedirs(out)
    image = os.path.join(out, "image")
    env = dict(os.environ, KEEL_CACHE_DIR=cache)
    return timed([KEEL, "image", "build", top, "-o", image, "--root", ROOT, "--compress", "none"], env=env), image


def main():
    os.makedirs(WORK)
    print("== importing the generated closure (500 paths, ~1 GiB) into a keel store", flush=True)
    start = time.perf_counter()
    top = import_stream(0)
    paths = run([KEEL, "store", "closure", top, "--root", ROOT]).split()
    closure_bytes = int(run(["du", "-scb", *paths]).splitlines()[-1].split()[0])
    print(f"   {len(paths)} paths, {closure_bytes / 2**20:.0f} MiB, "
          f"imported in {time.perf_counter() - start:.1f} s", flush=True)
    if len(paths) != gen_image_closure.PATHS:
        sys.exit(f"bench: the closure of {top} has {len(paths)} paths, not {gen_image_closure.PATHS}")

    names = sorted(os.path.basename(p) for p in paths)
    floor_command = f"set -o pipefail; tar -cf - -C '{STORE}' {' '.join(names)} | openssl dgst -sha256"
    timed(["bash", "-c", floor_command])  # warm-up: the page cache holds the closure, as for keel

    print(f"== (1) first builds, empty layer cache, and the floor, alternating ({RUNS} runs each)", flush=True)
    floor_times, keel_times, written_times, images, caches = [], [], [], [], []
    for i in range(RUNS):
        floor_times.append(timed(["bash", "-c", floor_command]))
        # For reference, not the floor: the same read and hash, plus writing the bytes durably,
        # as a builder writing its layers must. This disk's writes get slower as gigabytes pile
        # up, so it and keel take turns going first.
        written = os.path.join(WORK, f"written-{i}")
        os.makedirs(written)
        write_command = floor_command.replace(" | openssl", f" | tee '{written}/layers.tar' | openssl") \
            + f" && sync -f '{written}/layers.tar'"
        if i % 2:
            written_times.append(timed(["bash", "-c", write_command]))
        caches.append(os.path.join(WORK, f"cache-{i}"))
        elapsed, image = build(top, f"first-{i}", caches[-1])
        keel_times.append(elapsed)
        images.append(image)
        if not i % 2:
            written_times.append(timed(["bash", "-c", write_command]))
    first = layers(images[0])
    layer_bytes = [layer["size"] for layer in first]
    print(f"   {len(first)} layers, {sum(layer_bytes) / 2**20:.0f} MiB, the largest "
          f"{max(layer_bytes) / 2**20:.0f} MiB ({max(layer_bytes) / sum(layer_bytes):.0%})", flush=True)

    print(f"== (2) rebuilds after one small path changed, warm layer cache ({RUNS} runs)", flush=True)
    rebuild_times = []
    for i in range(RUNS):
        changed_top = import_stream(i + 1)
        elapsed, image = build(changed_top, f"rebuild-{i}", caches[i])
        rebuild_times.append(elapsed)
    changed = {layer["digest"] for layer in layers(image)} - {layer["digest"] for layer in first}
    changed_bytes = sum(layer["size"] for layer in layers(image) if layer["digest"] in changed)
    print(f"   {len(changed)} layer(s) changed, {changed_bytes / 2**20:.0f} MiB", flush=True)

    floor, keel, written, rebuild = (statistics.median(t) for t in
                                     (floor_times, keel_times, written_times, rebuild_times))
    for label, times in (("floor", floor_times), ("first builds", keel_times),
                         ("floor + write", written_times), ("rebuilds", rebuild_times)):
        print(f"   {label:<13} " + "  ".join(f"{t * 1000:.0f}" for t in times) + " ms", flush=True)
    rows = [("(1) image of 500 paths, ~1 GiB, uncompressed", f"{keel * 1000:.0f} ms",
             f"{floor * 1000:.0f} ms (tar | openssl dgst -sha256)", keel / floor, 1.3),
            ("    the same, for reference", f"{keel * 1000:.0f} ms",
             f"{written * 1000:.0f} ms (tar | tee FILE | openssl; sync)", keel / written, None),
            ("(2) rebuild after one small path changed", f"{rebuild * 1000:.0f} ms",
             f"{keel * 1000:.0f} ms (the first build, (1))", rebuild / keel, 0.05)]
    if SIZE:
        rows.append(agent_sizes())

    print(f"\n== keel image build: medians of {RUNS} runs")
    print(f"{'':<46} {'keel':>10}   {'against':<46} {'ratio':>6}  target")
    for label, mine, theirs, ratio, target in rows:
        verdict = "(no target)" if target is None else f"<= {target} " + ("met" if ratio <= target else "MISSED")
        print(f"{label:<46} {mine:>10}   {theirs:<46} {ratio:6.3f}  {verdict}")


def agent_sizes():
    agent = os.path.join(WORK, "agent")
    os.makedirs(os.path.join(agent, "web"))
    with open(os.path.join(agent, "web", "server.py"), "w") as f:
        f.write(SERVER)
    config = os.path.join(agent, "keel.toml")
    with open(config, "w") as f:
        f.write('[host]\nname = "bench-image"\n\n'
                f'[packages.py]\ndebian = {json.dumps(PYTHON_PACKAGES)}\n'
                f'leave_out = {json.dumps(PYTHON_LEAVE_OUT)}\n\n'
                '[packages.web]\nsrc = "./web"\n\n'
                '[agents.web]\ncommand = ["python3.11", "${packages.web}/server.py", "0.0.0.0", "8080"]\n'
                'packages = ["py"]\n')
    env = dict(os.environ, KEEL_CACHE_DIR=os.path.join(WORK, "agent-cache"))
    print("== (3) the Python agent's image (keel lock, keel image build --agent web)", flush=True)
    run([KEEL, "lock", "-f", config], env=env)
    image = os.path.join(WORK, "agent-image")
    run([KEEL, "image", "build", "--agent", "web", "-f", config, "-o", image, "--root",
         os.path.join(WORK, "agent-root")], env=env)
    keel_size = sum(layer["size"] for layer in layers(image))
    print(f"   {len(layers(image))} layers, {keel_size / 2**20:.1f} MiB", flush=True)

    chroot = os.environ.get("KEEP_DEBOOTSTRAP") or os.path.join(WORK, "debootstrap")
    if os.path.exists(os.path.join(chroot, "usr", "bin", "python3.11")):
        print(f"== reusing the debootstrap root {chroot} (KEEP_DEBOOTSTRAP)", flush=True)
    else:
        print(f"== debootstrap --variant=minbase bookworm {chroot} (downloads ~40 MB) "
              "+ apt-get install of the same Python", flush=True)
        shutil.rmtree(chroot, ignore_errors=True)
        run(["debootstrap", "--variant=minbase", "bookworm", chroot])
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["chroot", chroot, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *PYTHON_PACKAGES],
            env=apt_env)
        # What a careful Dockerfile does after its apt-get install.
        run(["chroot", chroot, "apt-get", "clean"])
        run(["bash", "-c", f"rm -rf '{chroot}'/var/lib/apt/lists/*"])
    os.makedirs(os.path.join(chroot, "app"), exist_ok=True)
    with open(os.path.join(chroot, "app", "server.py"), "w") as f:
        f.write(SERVER)
    peer_size = int(run(["bash", "-c", f"set -o pipefail; tar -cf - -C '{chroot}' . | wc -c"]))
    return ("(3) Python agent image, sum of layer blobs", f"{keel_size / 2**20:.1f} MiB",
            f"{peer_size / 2**20:.1f} MiB (debootstrap root + python, tar)", keel_size / peer_size, 0.30)


if __name__ == "__main__":
    main()
