#!/usr/bin/env bash
# Installs the peers bench/supervisor.sh compares keel with, where they are missing, without
# touching this machine's init:
#   s6 and daemontools  Debian packages (apt-get, no recommends: daemontools-run, which would start
#                       svscan at boot, is not installed); neither has maintainer scripts
#   runit               the Debian package unpacked into PEERS/runit (apt-get download + dpkg-deb -x),
#                       not installed: its maintainer scripts enable services under /etc/service,
#                       add a system user and hook into the LSB init functions, and it recommends
#                       runit-run/runit-init, which take over boot. Only runsv, runsvdir and sv are used.
#   supervisord         PyPI's `supervisor` in a virtual environment, PEERS/supervisor-venv
# PEERS is KEEL_BENCH_PEERS (default /opt/keel-bench-peers). Needs root for apt-get.
set -euo pipefail
peers=${KEEL_BENCH_PEERS:-/opt/keel-bench-peers}
mkdir -p "$peers"
updated=
apt_update() {
  if [ -z "$updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    updated=1
  fi
}
need=()
command -v s6-supervise >/dev/null || need+=(s6)
command -v supervise >/dev/null && command -v svscan >/dev/null && command -v svc >/dev/null || need+=(daemontools)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing ${need[*]}; run as root, or apt-get install --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  apt_update
  echo "== installing ${need[*]} (Debian)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
if [ ! -x "$peers/runit/usr/bin/runsv" ]; then
  if ! command -v dpkg-deb >/dev/null || ! command -v apt-get >/dev/null; then
    echo "bench: runit is unpacked from Debian's package; this needs apt-get and dpkg-deb" >&2
    exit 1
  fi
  apt_update
  echo "== unpacking Debian's runit into $peers/runit (not installed)" >&2
  download=$(mktemp -d)
  chmod 755 "$download"  # apt-get download hands the file to its _apt user
  (cd "$download" && apt-get download -qq runit >&2)
  rm -rf "$peers/runit.new"
  dpkg-deb -x "$download"/runit_*.deb "$peers/runit.new"
  rm -rf "$download" "$peers/runit"
  mv "$peers/runit.new" "$peers/runit"
fi
if [ ! -x "$peers/supervisor-venv/bin/supervisord" ]; then
  echo "== installing supervisor (PyPI) into $peers/supervisor-venv" >&2
  rm -rf "$peers/supervisor-venv"
  python3 -m venv "$peers/supervisor-venv"
  "$peers/supervisor-venv/bin/pip" install -q --disable-pip-version-check supervisor >&2
fi
