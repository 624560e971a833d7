#!/usr/bin/env python3
"""Generates the closure bench/image.sh builds images of, as a `nix-store --export` stream for
`keel store import` (the only way into a keel store that carries references: `keel store add`
makes source paths, which have none).

Deterministic (seeded): 500 store paths totalling ~1 GiB. Paths 0..497 are packages; path i
refers to a few paths below it, drawn towards the bottom, so the low ones are shared by many
(like glibc or python in a real closure) and the popularity contest ranks them first. Every path
has 5-120 small files (100 B - 64 KiB, in bin/, lib/, share/ directories, some executable, a
symlink in some) and, when it refers to others, nix-support/propagated-build-inputs naming them
(so the references are in the content too, as in a real store path). About 60 of the packages,
mostly low in the graph (libraries, interpreters), also hold a few multi-MB files that make up
the rest of the 1 GiB. Path 498 is a small leaf only the top refers to (the app's
configuration), and path 499, the top, refers to it and to every package nothing else refers
to, so its closure is all 500 paths.

A variant V (>= 1) writes only two paths whose references are already valid: a new version of
the leaf (new content, so a new path) and a new top referring to it instead of the old leaf:
"one small path changed", the rest of the closure as it was.

Usage: gen_image_closure.py STORE_DIR [VARIANT] > stream   (prints the top's path on stderr)
"""
import hashlib
import random
import struct
import sys

PATHS = 500
TOTAL = 1 << 30
BLOCK = random.Random(1818).randbytes(8 << 20)
ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"


def configure(total: int, compressible: bool = False) -> None:
    """Sets the closure's total size and, with `compressible`, makes file contents word-like
    text (a few thousand random "words", about 3:1 under xz, as real store paths are) instead of
    random bytes; bench/cache.py uses it for a 500 MiB closure that compressors can work on."""
    global TOTAL, BLOCK
    TOTAL = total
    if compressible:
        rng = random.Random(1819)
        letters = bytes(range(33, 127))
        words = [bytes(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(4096)]
        out = bytearray()
        while len(out) < (8 << 20):
            out += b" ".join(rng.choices(words, k=4096)) + b"\n"
        BLOCK = bytes(out[: 8 << 20])


def nix_base32(digest: bytes) -> str:
    length = (len(digest) * 8 - 1) // 5 + 1
    value = int.from_bytes(digest, "little")
    return "".join(ALPHABET[(value >> (5 * (length - 1 - k))) & 31] for k in range(length))


def store_path(store_dir: str, name: str, variant: int) -> str:
    digest = hashlib.sha256(f"keel-bench-image:{variant}:{name}".encode()).digest()[:20]
    return f"{store_dir}/{nix_base32(digest)}-{name}"


def names() -> list[str]:
    return [f"pkg{i:03d}-1.{i % 7}" for i in range(PATHS - 2)] + ["bench-config", "bench-top"]


def graph() -> list[list[int]]:
    """references[i]: the indices path i refers to (all below i)."""
    rng = random.Random(18)
    references: list[list[int]] = [[] for _ in range(PATHS)]
    for i in range(1, PATHS - 2):
        count = min(i, rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8]))
        references[i] = sorted({int(i * rng.random() ** 2) for _ in range(count)})
    referenced = {j for refs in references for j in refs}
    references[PATHS - 1] = sorted({i for i in range(PATHS - 2) if i not in referenced} | {PATHS - 2})
    return references


def trees() -> list[dict]:
    """tree[i]: name -> ("file", size, executable, seed) | ("symlink", target) | dict."""
    rng = random.Random(1800)
    result = []
    small_total = 0
    for i in range(PATHS):
        tree: dict = {}
        count = 3 if i >= PATHS - 2 else rng.randint(5, 120)
        for n in range(count):
            directory = rng.choice(["bin", "lib", "lib", "share/doc", "share/data", "lib/site"])
            node = tree
            for part in directory.split("/"):
                node = node.setdefault(part, {})
            size = min(int(rng.lognormvariate(8.3, 1.1)) + 100, 64 << 10)
            node[f"f{n:03d}.dat"] = ("file", size, directory == "bin", rng.getrandbits(32))
            small_total += size
        if i < PATHS - 2 and rng.random() < 0.3 and "lib" in tree:
            first = sorted(k for k, v in tree["lib"].items() if isinstance(v, tuple))
            if first:
                tree["lib"]["libmain.so"] = ("symlink", first[0])
        result.append(tree)
    big = sorted({int((PATHS - 2) * rng.random() ** 2.5) for _ in range(80)})
    files = [(i, rng.uniform(1, 24)) for i in big for _ in range(rng.randint(1, 4))]
    if TOTAL <= small_total:
        sys.exit(f"gen_image_closure: {TOTAL} bytes is less than the small files' {small_total}")
    scale = (TOTAL - small_total) / sum(w for _, w in files)
    for n, (i, weight) in enumerate(files):
        size = int(weight * scale) // 4096 * 4096
        result[i].setdefault("lib", {})[f"big{n:03d}.so"] = ("file", size, False, rng.getrandbits(32))
    return result


class Writer:
    def __init__(self, out):
        self.out = out

    def u64(self, n: int) -> None:
        self.out.write(struct.pack("<Q", n))

    def str(self, b: bytes) -> None:
        self.u64(len(b))
        self.out.write(b)
        self.out.write(b"\0" * (-len(b) % 8))

    def strs(self, *items: str) -> None:
        for item in items:
            self.str(item.encode())

    def contents(self, label: bytes, size: int, seed: int) -> None:
        self.u64(size)
        head = label[:size]
        self.out.write(head)
        written, offset = len(head), seed % len(BLOCK)
        while written < size:
            chunk = BLOCK[offset : offset + min(size - written, 1 << 20)]
            self.out.write(chunk)
            written += len(chunk)
            offset = (offset * 31 + 4099) % len(BLOCK)
        self.out.write(b"\0" * (-size % 8))

    def node(self, value, label: bytes) -> None:
        self.strs("(", "type")
        if isinstance(value, dict):
            self.strs("directory")
            for name in sorted(value, key=lambda n: n.encode()):
                self.strs("entry", "(", "name", name, "node")
                self.node(value[name], label + b"/" + name.encode())
                self.strs(")")
        elif value[0] == "symlink":
            self.strs("symlink", "target", value[1])
        elif value[0] == "text":
            self.strs("regular", "contents")
            self.str(value[1])
        else:
            _, size, executable, seed = value
            self.strs("regular")
            if executable:
                self.strs("executable", "")
            self.strs("contents")
            self.contents(label + b"\n", size, seed)
        self.strs(")")

    def path(self, path: str, tree: dict, references: list[str]) -> None:
        if references:
            text = (" ".join(references) + "\n").encode()
            tree = dict(tree, **{"nix-support": {"propagated-build-inputs": ("text", text)}})
        self.u64(1)
        self.strs("nix-archive-1")
        self.node(tree, path.encode())
        self.u64(0x4558494E)
        self.strs(path)
        self.u64(len(references))
        self.strs(*sorted(references))
        self.strs("")
        self.u64(0)


def write(out, store_dir: str, variant: int = 0) -> str:
    """Writes the closure (variant 0) or a changed leaf and top (variant >= 1); returns the top."""
    all_names, references, all_trees = names(), graph(), trees()
    paths = [store_path(store_dir, name, 0) for name in all_names]
    writer = Writer(out)
    leaf, top = PATHS - 2, PATHS - 1
    if variant == 0:
        for i in range(PATHS):
            writer.path(paths[i], all_trees[i], [paths[j] for j in references[i]])
    else:
        new_leaf = store_path(store_dir, all_names[leaf], variant)
        tree = dict(all_trees[leaf])
        tree["version"] = ("text", f"changed {variant}\n".encode())
        writer.path(new_leaf, tree, [])
        paths[leaf] = new_leaf
        paths[top] = store_path(store_dir, all_names[top], variant)
        writer.path(paths[top], all_trees[top], [paths[j] for j in references[top]])
    writer.u64(0)
    return paths[top]


def main() -> None:
    out = sys.stdout.buffer
    top = write(out, sys.argv[1].rstrip("/"), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    out.flush()
    print(top, file=sys.stderr)


if __name__ == "__main__":
    main()
