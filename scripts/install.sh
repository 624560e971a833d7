#!/usr/bin/env bash
# Builds keel for release and installs it, stripped, as PREFIX/bin/keel (default PREFIX:
# /usr/local). The build links the Swift runtime and Foundation statically
# (--static-swift-stdlib), so the installed binary starts in a few milliseconds and needs only
# the system's C libraries (glibc, libstdc++, libsqlite3, zlib). It goes to its own build
# directory, .build-install. The benchmarks in bench/ measure this installed binary.
#   scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
echo "keel: building the release binary (the first build takes several minutes)" >&2
build=(swift build -c release --static-swift-stdlib --scratch-path .build-install)
"${build[@]}" --product keel >&2
built="$("${build[@]}" --show-bin-path)/keel"
mkdir -p "$prefix/bin"
install -m 0755 -s "$built" "$prefix/bin/keel.new"
mv -f "$prefix/bin/keel.new" "$prefix/bin/keel"
echo "keel: installed $prefix/bin/keel ($("$prefix/bin/keel" --version))" >&2
