#!/usr/bin/env bash
# Builds keel for release and installs it, stripped, as PREFIX/bin/keel (default PREFIX:
# /usr/local). The binary is linked statically, the Swift runtime, Foundation, SQLite and glibc
# included (--static-swift-stdlib -static-executable), so it starts in a few milliseconds: the
# dynamic loader's work for the shared libraries took ~6 ms of every command. glibc's name
# lookups (users, hosts) still load the host's NSS modules of the same glibc version at run time,
# so build it on the kind of host it runs on. It is built in its own directory, .build-install.
# The benchmarks in bench/ measure this installed binary.
#   scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
# KeelArchive links the system zlib, liblzma, liblz4 and libzstd (their static libraries come with the
# -dev packages).
need=()
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -e /usr/include/lzma.h ] || need+=(liblzma-dev)
[ -e /usr/include/lz4frame.h ] || need+=(liblz4-dev)
[ -e /usr/include/zstd.h ] || need+=(libzstd-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "keel: missing ${need[*]}; run as root, or apt-get install them first" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
echo "keel: building the release binary (the first build takes several minutes)" >&2
build=(swift build -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-install)
"${build[@]}" --product keel >&2
built="$("${build[@]}" --show-bin-path)/keel"
mkdir -p "$prefix/bin"
install -m 0755 -s "$built" "$prefix/bin/keel.new"
mv -f "$prefix/bin/keel.new" "$prefix/bin/keel"
echo "keel: installed $prefix/bin/keel ($("$prefix/bin/keel" --version))" >&2
