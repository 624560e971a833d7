#!/usr/bin/env bash
# Keel's main job on its embedded defaults, for now: the store-format tools over the sample
# agent in Examples/sample-agent. Builds keel if needed; needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
keel="$(swift build -c release --show-bin-path)/keel"
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
