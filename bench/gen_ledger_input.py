#!/usr/bin/env python3
"""Writes the JSON Lines inputs of bench/ledger.sh once: 4 files of 250,000 entries."""
import os
import sys

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
for writer in range(4):
    path = os.path.join(work, f"writer-{writer}.jsonl")
    if os.path.exists(path):
        continue
    with open(path + ".tmp", "w") as out:
        for n in range(250_000):
            out.write('{"kind":"agent.restart","subject":"agent-%d","details":{"writer":%d,"n":%d,'
                      '"reason":"health check failed"}}\n' % (n % 97, writer, n))
    os.rename(path + ".tmp", path)
