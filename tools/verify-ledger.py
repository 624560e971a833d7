#!/usr/bin/env python3
"""Verify a keel audit ledger offline (docs/ledger-format.md), independently of keel.

    python3 tools/verify-ledger.py BUNDLE_DIR [--key PUBLIC-KEY-FILE] [--checkpoint FILE]

BUNDLE_DIR is a bundle from `keel ledger export` or a ledger directory (ROOT/ledger). The key
trusted is the one given, else BUNDLE_DIR/public.key. Exit 0 with one summary line when the
ledger is intact; exit 1 with `entry N: REASON` naming the first bad sequence number; exit 2 on
bad usage or unreadable input. Needs only the standard library and `cryptography`.
"""

import argparse
import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAGIC = b"KEELLOG1"
MIN_BODY = 64
MAX_BODY = 1 << 20
EMPTY_ROOT = hashlib.sha256(b"").digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hash(body):
    return hashlib.sha256(b"\x00" + body).digest()


class Range:
    """The right edge of the tree: perfect subtree roots, largest first."""

    def __init__(self):
        self.size = 0
        self.peaks = []

    def append(self, leaf):
        completed = [leaf]
        node = leaf
        merged = self.size
        while merged & 1:
            node = node_hash(self.peaks.pop(), node)
            completed.append(node)
            merged >>= 1
        self.peaks.append(node)
        self.size += 1
        return completed

    def root(self):
        if not self.peaks:
            return EMPTY_ROOT
        root = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            root = node_hash(peak, root)
        return root


def parse_key(text):
    name, _, encoded = text.strip().partition(":")
    raw = base64.b64decode(encoded, validate=True)
    if not name or len(raw) != 32:
        raise ValueError("not a name:base64 Ed25519 public key")
    return name, Ed25519PublicKey.from_public_bytes(raw)


def signed_message(cp):
    return ("keel-ledger-checkpoint/v1\n%d\n%s\n%d\n" % (cp["size"], cp["root"], cp["time"])).encode()


def signature_valid(cp, key):
    name, _, encoded = cp["signature"].partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return False
    if len(raw) != 64:
        return False
    try:
        key.verify(raw, signed_message(cp))
        return True
    except InvalidSignature:
        return False


def parse_checkpoint(line):
    cp = json.loads(line)
    for field in ("size", "time", "offset"):
        if not isinstance(cp.get(field), int) or isinstance(cp.get(field), bool):
            raise ValueError("missing or non-integer %r" % field)
    if cp["size"] < 0 or cp["offset"] < 0:
        raise ValueError("negative size or offset")
    root = cp.get("root")
    if not isinstance(root, str) or len(root) != 64:
        raise ValueError("root is not 64 hex digits")
    bytes.fromhex(root)
    if not isinstance(cp.get("signature"), str) or ":" not in cp["signature"]:
        raise ValueError("signature is not keyname:base64")
    return cp


def read_checkpoints(path):
    checkpoints = []
    if not os.path.exists(path):
        return checkpoints
    data = open(path, "rb").read()
    whole = data[: data.rfind(b"\n") + 1]  # a torn last line is ignored
    for number, line in enumerate(whole.split(b"\n")[:-1], 1):
        try:
            checkpoints.append(parse_checkpoint(line.decode()))
        except ValueError as error:
            raise SystemExit("checkpoint line %d: malformed checkpoint: %s" % (number, error))
    return checkpoints


def decode_texts(body):
    """Returns (kind, details) of an entry body, or None when the fields do not fit."""
    offset = 16
    texts = []
    for _ in range(4):
        if len(body) < offset + 4:
            return None
        (length,) = struct.unpack_from(">I", body, offset)
        offset += 4
        if len(body) < offset + length:
            return None
        texts.append(body[offset : offset + length])
        offset += length
    if len(body) - offset != 32:
        return None
    return texts[1].decode("utf-8", "replace"), texts[3].decode("utf-8", "replace")


def verify(directory, trusted, witnesses):
    problems = []
    checked = [{"cp": cp, "witness": False} for cp in read_checkpoints(os.path.join(directory, "checkpoints"))]
    for index in range(1, len(checked)):
        size, before = checked[index]["cp"]["size"], checked[index - 1]["cp"]["size"]
        if size < before:
            problems.append((size, "checkpoints out of order (size %d follows size %d)" % (size, before)))
    checked += [{"cp": cp, "witness": True} for cp in witnesses]
    by_size = {}
    for item in checked:
        item.update(root_matches=False, offset_matches=False, reached=False)
        by_size.setdefault(item["cp"]["size"], []).append(item)

    entries = open(os.path.join(directory, "entries"), "rb").read()
    nodes_path = os.path.join(directory, "nodes")
    nodes = open(nodes_path, "rb").read() if os.path.exists(nodes_path) else b""
    if entries and entries[:8] != MAGIC:
        raise SystemExit("entries: not a keel ledger (bad magic)")

    count, previous, tree, rotations = 0, b"\x00" * 32, Range(), []
    offset, node_offset = len(MAGIC), 0
    scan_problem = None
    torn = None
    while offset < len(entries):
        sequence = count + 1
        if len(entries) - offset < 4:
            torn = "the file ends inside a record's length"
            break
        (length,) = struct.unpack_from(">I", entries, offset)
        if not MIN_BODY <= length <= MAX_BODY:
            torn = "a record's length (%d) is impossible" % length
            break
        end = offset + 4 + length + 32
        if end > len(entries):
            torn = "the file ends inside a record"
            break
        body = entries[offset + 4 : offset + 4 + length]
        stored = entries[offset + 4 + length : end]
        computed = leaf_hash(body)
        (found,) = struct.unpack_from(">Q", body, 0)
        if computed != stored:
            scan_problem = (sequence, "hash mismatch (the stored hash is not the hash of the entry's bytes)")
        elif found > sequence:
            scan_problem = (sequence, "missing entry (found entry %d where entry %d belongs)" % (found, sequence))
        elif found < sequence:
            scan_problem = (sequence, "duplicate or out of order (found entry %d again)" % found)
        elif body[-32:] != previous:
            scan_problem = (sequence, "broken link (the previous hash is not entry %d's hash)" % (sequence - 1))
        if scan_problem:
            break
        for level, node in enumerate(tree.append(computed)):
            stored_node = nodes[node_offset : node_offset + 32]
            node_offset += 32
            if len(stored_node) < 32:
                scan_problem = (sequence, "the Merkle nodes file ends before this entry's nodes")
                break
            if stored_node != node:
                scan_problem = (sequence, "a stored Merkle node (level %d) differs from the one the entries give" % level)
                break
        if scan_problem:
            break
        texts = decode_texts(body)
        if texts and texts[0] == "ledger.key-rotated":
            try:
                details = json.loads(texts[1])
                keys = [details[k] for k in ("old", "new") if isinstance(details.get(k), str)]
            except (ValueError, AttributeError):
                keys = []
            rotations.append((sequence, keys))
        count, previous, offset = sequence, computed, end
        for item in by_size.get(sequence, []):
            item["reached"] = True
            item["root_matches"] = item["cp"]["root"] == tree.root().hex()
            item["offset_matches"] = item["cp"]["offset"] == end

    if scan_problem:
        problems.append(scan_problem)
    if torn and not scan_problem:
        problems.append((count + 1, "torn record (%s); the next writer will cut it off" % torn))
    if not scan_problem and not torn and node_offset < len(nodes):
        problems.append((count + 1, "missing entry (the Merkle nodes file holds nodes beyond entry %d)" % count))
    for item in by_size.get(0, []):
        item["reached"] = True
        item["root_matches"] = item["cp"]["root"] == EMPTY_ROOT.hex()
        item["offset_matches"] = item["cp"]["offset"] == len(MAGIC)
    beyond = [item["cp"]["size"] for item in checked if item["cp"]["size"] > count]
    if not scan_problem and beyond:
        problems.append((count + 1, "missing entry (a checkpoint of size %d covers it)" % min(beyond)))
    problems += signature_problems([item for item in checked if item["reached"]], rotations, trusted)

    if problems:
        return min(problems, key=lambda problem: problem[0])
    own = [item["cp"]["size"] for item in checked if not item["witness"]]
    return ("intact", count, len(own), max(own) if own else 0, tree.root().hex())


def signature_problems(checked, rotations, trusted_keys):
    trusted = {}
    for name, key in trusted_keys:
        trusted.setdefault(name, []).append(key)

    def valid_signer(cp):
        name = cp["signature"].partition(":")[0]
        return any(signature_valid(cp, key) for key in trusted.get(name, []))

    applied, changed = set(), True
    while changed:
        changed = False
        for sequence, keys in rotations:
            if sequence in applied:
                continue
            if any(i["root_matches"] and i["cp"]["size"] >= sequence and valid_signer(i["cp"]) for i in checked):
                applied.add(sequence)
                changed = True
                for text in keys:
                    try:
                        name, key = parse_key(text)
                    except ValueError:
                        continue
                    trusted.setdefault(name, []).append(key)

    problems, last_good = [], 0
    for item in sorted(checked, key=lambda i: i["cp"]["size"]):
        cp = item["cp"]
        size = cp["size"]
        which = "the witness checkpoint" if item["witness"] else "checkpoint"
        name = cp["signature"].partition(":")[0]
        if not item["root_matches"]:
            problems.append((last_good + 1, "%s of size %d disagrees: entries %d–%d are not the ones it signed"
                             % (which, size, last_good + 1, size)))
        elif name not in trusted:
            problems.append((size, "%s of size %d is signed by key %s, which is not trusted" % (which, size, name)))
        elif not valid_signer(cp):
            problems.append((size, "bad signature on %s of size %d" % (which, size)))
        elif not item["offset_matches"] and not item["witness"]:
            problems.append((size, "checkpoint of size %d records offset %d, which is not where entry %d ends"
                             % (size, cp["offset"], size)))
        else:
            last_good = max(last_good, size)
    return problems


def main():
    parser = argparse.ArgumentParser(description="Verify a keel audit ledger bundle offline.")
    parser.add_argument("bundle", help="a directory from `keel ledger export` (or ROOT/ledger)")
    parser.add_argument("--key", help="the trusted public key file (default: BUNDLE/public.key)")
    parser.add_argument("--checkpoint", help="witness checkpoints to check as well (one JSON line each)")
    args = parser.parse_args()
    key_path = args.key or os.path.join(args.bundle, "public.key")
    try:
        trusted = [parse_key(open(key_path).read())]
    except (OSError, ValueError) as error:
        print("verify-ledger: cannot read the key %s: %s" % (key_path, error), file=sys.stderr)
        return 2
    witnesses = []
    if args.checkpoint:
        for line in open(args.checkpoint).read().splitlines():
            if line.strip():
                witnesses.append(parse_checkpoint(line))
    try:
        verdict = verify(args.bundle, trusted, witnesses)
    except OSError as error:
        print("verify-ledger: %s" % error, file=sys.stderr)
        return 2
    if verdict[0] == "intact":
        _, count, checkpoints, covered, root = verdict
        pending = "; entries %d-%d await a checkpoint" % (covered + 1, count) if covered < count else ""
        print("ledger intact: %d entries, %d checkpoints, root %s%s" % (count, checkpoints, root, pending))
        return 0
    print("entry %d: %s" % verdict)
    return 1


if __name__ == "__main__":
    sys.exit(main())
