#!/usr/bin/env python3
"""Generates the benchmark trees, deterministically (seeded), unless they already exist.

small: ~10,000 files of 1-8 KiB in nested directories.
big:   20 files totalling ~1 GiB.
sparse4g: one sparse 4 GiB file (for the peak-RSS check; reads cost no disk I/O).
"""
import os
import random
import sys


def make_small(root: str, files: int = 10_000) -> None:
    rng = random.Random(2)
    made = 0
    while made < files:
        depth = rng.randint(1, 4)
        parts = [f"d{rng.randint(0, 9)}" for _ in range(depth)]
        directory = os.path.join(root, *parts)
        os.makedirs(directory, exist_ok=True)
        for _ in range(rng.randint(5, 40)):
            if made >= files:
                break
            path = os.path.join(directory, f"f{made:05d}.dat")
            with open(path, "wb") as out:
                out.write(rng.randbytes(rng.randint(1024, 8192)))
            if rng.random() < 0.1:
                os.chmod(path, 0o755)
            made += 1


def make_big(root: str, files: int = 20, total: int = 1 << 30) -> None:
    os.makedirs(root, exist_ok=True)
    rng = random.Random(3)
    block = rng.randbytes(1 << 20)
    size = total // files
    for index in range(files):
        with open(os.path.join(root, f"blob{index:02d}.bin"), "wb") as out:
            for offset in range(0, size, len(block)):
                # A different block each MiB so the data is not trivially repetitive.
                out.write(block[offset % 4096 :] + block[: offset % 4096])


def make_sparse(path: str, size: int = 4 << 30) -> None:
    with open(path, "wb") as out:
        out.truncate(size)


def main() -> None:
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    small, big, sparse = (os.path.join(work, n) for n in ("small", "big", "sparse4g"))
    if not os.path.exists(small + ".done"):
        make_small(small)
        open(small + ".done", "w").close()
    if not os.path.exists(big + ".done"):
        make_big(big)
        open(big + ".done", "w").close()
    if not os.path.exists(sparse):
        make_sparse(sparse)


if __name__ == "__main__":
    main()
