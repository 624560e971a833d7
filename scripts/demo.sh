#!/usr/bin/env bash
# Keel's main job on its embedded defaults, for now: the store-format tools over the sample
# agent in Examples/sample-agent, then its audit ledger. Uses the `keel` on PATH; when there is
# none, builds and installs it first (scripts/install.sh, into /usr/local, or ~/.local as a
# user). Needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v keel >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
  scripts/install.sh "$prefix"
  export PATH="$prefix/bin:$PATH"
fi
keel=$(command -v keel)
tree=Examples/sample-agent
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

echo "\$ keel hash path $tree"
"$keel" hash path "$tree"
echo "\$ keel hash path --base32 $tree"
"$keel" hash path --base32 "$tree"
echo "\$ keel store path-of $tree --name sample-agent"
"$keel" store path-of "$tree" --name sample-agent
echo "\$ keel nar dump $tree > sample-agent.nar"
"$keel" nar dump "$tree" > "$work/sample-agent.nar"
echo "  $(wc -c < "$work/sample-agent.nar") bytes"
echo "\$ keel nar restore restored < sample-agent.nar"
"$keel" nar restore "$work/restored" < "$work/sample-agent.nar"
echo "\$ keel hash path restored"
"$keel" hash path "$work/restored"
echo "\$ head -c 100 sample-agent.nar | keel nar restore broken   # a truncated NAR is refused"
head -c 100 "$work/sample-agent.nar" | "$keel" nar restore "$work/broken" || echo "  exit status $?; nothing was created: $(ls "$work")"

echo
echo "# The local store (in a temporary state root)"
root="$work/state"
echo "\$ keel store add $tree"
stored=$("$keel" store add --root "$root" "$tree")
echo "$stored"
echo "\$ keel store info $stored"
"$keel" store info --root "$root" "$stored"
echo "\$ keel store verify --check-contents"
"$keel" store verify --root "$root" --check-contents && echo "  every path matches its record"
mkdir -p "$work/other-store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-not-keels"
echo "\$ keel store add $tree --store-dir other-store   # a store dir holding another tool's paths is refused"
"$keel" store add --root "$work/other-root" --store-dir "$work/other-store" "$tree" \
  || echo "  exit status $?; nothing of the other tool's was touched: $(ls "$work/other-store")"

echo
echo "# The audit ledger (in the same state root)"
path=$("$keel" store path-of "$tree" --name sample-agent)
echo "\$ keel ledger append --kind switch --subject generation-1 --details '{\"agent\":\"$path\"}'"
"$keel" ledger append --root "$root" --kind switch --subject generation-1 --details "{\"agent\":\"$path\"}"
printf '%s\n' '{"kind":"agent.start","subject":"sample-agent","details":{"pid":4242}}' \
  '{"kind":"health","subject":"sample-agent","details":{"verdict":"ready"}}' > "$work/events.jsonl"
echo "\$ keel ledger append --jsonl events.jsonl"
"$keel" ledger append --root "$root" --jsonl "$work/events.jsonl"
echo "\$ keel ledger log"
"$keel" ledger log --root "$root"
echo "\$ keel ledger verify"
"$keel" ledger verify --root "$root"
echo "\$ keel ledger prove 2 > proof.json; keel ledger check-proof proof.json"
"$keel" ledger prove --root "$root" 2 > "$work/proof.json"
"$keel" ledger check-proof --root "$root" "$work/proof.json"
echo "\$ (flip one byte of entry 2 on disk) keel ledger verify"
python3 - "$root/ledger/entries" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
offset, index = 8, 1
while index < 2:  # skip entry 1: u32 length, body, 32-byte hash
    offset += 4 + int.from_bytes(data[offset:offset + 4], "big") + 32
    index += 1
data[offset + 30] ^= 0x01
open(path, "wb").write(data)
PY
"$keel" ledger verify --root "$root" || echo "  exit status $?: the tampering is caught and named"
