#!/usr/bin/env bash
# Installs what the tests need on Debian 12 (as root) when it is missing, builds, checks the
# formatting, and runs every test. This is the README's test command; .ci/run runs exactly it.
#   scripts/test.sh [swift test options...]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# The real nix 2.8, the test oracle for every format and for builds.
command -v nix-store >/dev/null 2>&1 || need+=(nix-bin)
# The sandbox tests expose a statically linked busybox as /bin/sh (Debian's `busybox` is dynamic).
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
# git: the oracle for .gitignore matching and for the commit a generation records.
command -v git >/dev/null 2>&1 || need+=(git)
# systemd-notify: the supervisor's tests speak systemd's notify protocol with the real client.
command -v systemd-notify >/dev/null 2>&1 || need+=(systemd)
# The lz4 and zstd tools: the reference decompressors KeelArchive's readers are checked against.
command -v lz4 >/dev/null 2>&1 || need+=(lz4)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
# pgrep, used by tests to prove no process was left behind.
command -v pgrep >/dev/null 2>&1 || need+=(procps)
# The image tests check every image with the real tools: skopeo reads and copies it, umoci
# unpacks it (checking diff_ids), crun runs it, podman loads the archives, oci-image-tool
# validates the layout; jq is the spec's companion for them.
for tool in skopeo umoci crun runc podman oci-image-tool jq; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
# GRDB links the system SQLite.
[ -e /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
# KeelArchive decompresses through the system zlib, liblzma, liblz4 and libzstd.
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -e /usr/include/lzma.h ] || need+=(liblzma-dev)
[ -e /usr/include/lz4frame.h ] || need+=(liblz4-dev)
[ -e /usr/include/zstd.h ] || need+=(libzstd-dev)
# The runtime tests lock real packages: pip resolves and downloads wheels, and apt-get downloads
# .debs listed in the host's package lists (refreshed below when there are none).
# The cache tests serve caches with a real nginx and copy closures through a real sshd and ssh;
# the xz CLI checks the xz compressor's bytes.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
# tools/verify-ledger.py (run by the ledger tests) needs Python 3 and `cryptography`.
python3 -c 'import cryptography' 2>/dev/null || need+=(python3 python3-cryptography)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh: missing ${need[*]}; run as root (or apt-get install them) first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install -q cryptography
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "scripts/test.sh: the host has no apt package lists; run apt-get update as root" >&2; exit 1; }
  apt-get update -qq
fi
nix-store --version

swift build --build-tests
swift format lint --strict --recursive Sources Tests
swift test --skip-build "$@"
