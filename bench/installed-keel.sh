# Sourced by the benchmarks: KEEL is the keel the README's set-up installs (scripts/install.sh),
# the binary users run; KEEL=/path/to/keel overrides.
KEEL=${KEEL:-$(command -v keel || true)}
if [ -z "$KEEL" ] || [ ! -x "$KEEL" ]; then
  echo "bench: no keel on PATH; install it first with scripts/install.sh (or set KEEL=/path/to/keel)" >&2
  exit 1
fi
echo "== keel under test: $KEEL ($("$KEEL" --version))"
