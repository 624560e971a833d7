#!/usr/bin/env bash
# Keel's main job on its embedded defaults: the demo host in Examples/demo (one agent, the sample
# agent whose tree is Examples/sample-agent) evaluated, switched to, changed, compared and rolled
# back, in a temporary state root; then the profile on disk, the audit ledger's entries for each
# switch, and briefly the store and Nix formats underneath. Finishes in a few seconds.
#
# Uses KEEL when set, else the `keel` on PATH; when there is none, or it predates the host
# commands, builds and installs it first (scripts/install.sh, into /usr/local, or ~/.local as a
# user). Needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KEEL:-}" ]; then
  if ! command -v keel >/dev/null 2>&1 || [[ "$(keel eval --help 2>/dev/null)" != *"USAGE: keel eval"* ]]; then
    if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
    scripts/install.sh "$prefix"
    export PATH="$prefix/bin:$PATH"
  fi
  KEEL=$(command -v keel)
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
root="$work/root"

# Prints a command as a user types it, then runs it against the temporary state root.
keel() {
  echo "\$ keel $*"
  "$KEEL" "$@" --root "$root"
}
# Prints a keel command, then runs it as given (for those that take no state root).
plain() {
  echo "\$ keel $*"
  "$KEEL" "$@"
}
# Prints a command, then runs it as given.
show() {
  echo "\$ $*"
  "$@"
}

echo "# The demo host (state root: $root, removed at the end)"
show grep -v -e '^#' -e '^$' Examples/demo/keel.toml
keel eval -f Examples/demo/keel.toml
keel switch -f Examples/demo/keel.toml
keel generations
echo "# (Nothing runs the agent yet: the supervisor, \`keel daemon\`, is a later issue. A switch"
echo "#  builds the system, records the generation and flips the profile.)"

echo
echo "# Change the agent: a copy of the example whose agent says hello every 2s instead of 5s"
cp -R Examples/demo Examples/sample-agent "$work/"
sed -i 's/AGENT_INTERVAL = "5"/AGENT_INTERVAL = "2"/' "$work/demo/keel.toml"
show diff Examples/demo/keel.toml "$work/demo/keel.toml" || true
keel switch -f "$work/demo/keel.toml"
echo "# (switching to what is already current changes nothing)"
keel switch -f "$work/demo/keel.toml"
keel diff 1 2
keel rollback
keel generations

echo
echo "# On disk: Nix's profile layout, so plain ls (or nix-env -p) reads it"
show ls -l "$root/profiles"
system=$(readlink -f "$root/profiles/system")
show ls -l "$system" "$system/packages"
echo "\$ python3 -m json.tool $system/manifest.json   # everything the agents get, resolved"
python3 -m json.tool "$system/manifest.json" 2>/dev/null || cat "$system/manifest.json"

echo
echo "# The audit ledger: every switch and rollback, hash-chained and checkpointed"
keel ledger log
keel ledger verify

echo
echo "# Underneath: the store speaks Nix's formats"
agent=$(readlink "$system/packages/sample-agent")
plain store path-of Examples/sample-agent --name sample-agent --store-dir "$root/store"
echo "  (nix-store --add's path for the tree: the one the src package got, $agent)"
plain hash path Examples/sample-agent
echo "\$ keel nar dump $agent | keel nar restore restored && keel hash path restored"
"$KEEL" nar dump "$agent" > "$work/agent.nar"
"$KEEL" nar restore "$work/restored" < "$work/agent.nar"
"$KEEL" hash path "$work/restored"
echo "\$ head -c 100 agent.nar | keel nar restore broken   # a truncated NAR is refused"
head -c 100 "$work/agent.nar" | "$KEEL" nar restore "$work/broken" \
  || echo "  exit status $?; nothing was created: $(test -e "$work/broken" && echo broken || echo none)"
keel store verify --check-contents
echo "  every path matches its record"
