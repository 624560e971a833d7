#!/usr/bin/env bash
# `keel daemon` against supervisord (PyPI), runit, s6 and daemontools (Debian), in one run:
#   (1) restart latency: from a child's exit to its successor's start, median and p99 over RESTARTS
#       (default 500) restarts under each supervisor; the supervisors take turns of ROUND (default
#       50) restarts, each turn started afresh with one warm-up restart not counted, so the
#       machine's drift over minutes is shared out (PARALLEL=1: side by side, staggered; quicker,
#       noisier). The child is `keel test-agent stamp FILE` for all, one
#       copy of it on the run's tmpfs that every supervisor executes (it appends `start NS` as it
#       starts and `exit NS` just before it exits, CLOCK_MONOTONIC).
#       Every supervisor runs the same ./run (bench/supervisor/peers.py, life_script): stamp, stay
#       up LIFETIME (default 1.1) s, exec the stamp again; a life over 1 s keeps runit's,
#       daemontools' and s6's 1-second pauses out, and s6 is told the service is ready on its
#       notification-fd. supervisord: startsecs=0, autorestart=true; its loop polls with a 1 s
#       timeout, so ~1 s per restart is its design. keel: restart policy always, no backoff.
#       target: keel's median no worse than the best peer's, p99 <= 10 ms
#   (2) 100 sleeping services under each: the supervisor's own processes' RSS and PSS, then
#       their CPU and wake-ups (context switches) over DURATION (default 60) s idle. Idle starts
#       12 s after the services run and, for keel, its generation has passed probation (keel
#       gives back the code pages the bench's status calls brought in 10 s after the last one)
#       target: keel daemon RSS <= 20 MiB, CPU <= 0.5 % of a core, 0 wake-ups
#   (3) SafeSwitch: from `keel switch` to a generation whose agent exits at once until the
#       previous generation's agent passes its health check again (`keel events -f --json`),
#       median of RUNS (default 20), default [safeswitch]                 target <= 1.5 s
# Installs the peers it lacks (bench/supervisor/install-peers.sh: s6 and daemontools from Debian,
# runit unpacked from Debian's package rather than installed, supervisor from PyPI in a venv; under
# KEEL_BENCH_PEERS, default /opt/keel-bench-peers): run it as root. Service directories and keel's
# root are on tmpfs (/dev/shm); the run ends every process it started and removes them.
# PARTS=latency,memory,safeswitch and SUPERVISORS=keel,runit,s6,daemontools,supervisord pick what
# runs; PEERS_ONLY=1 leaves keel out. The keel parts stop with a message when the keel under test
# has no `keel daemon`. Takes about 50 min with the defaults (RESTARTS=100: about 12 min).
#   bench/supervisor.sh
#   RESTARTS=100 DURATION=10 RUNS=5 bench/supervisor.sh     # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/installed-keel.sh
bash bench/supervisor/install-peers.sh
# STAMP_CHILD=/path/to/program (run as `program test-agent stamp FILE`) replaces keel as the child:
# only for trying the harness; the figures it prints then say so and are not keel's.
exec python3 -B bench/supervisor/main.py "$KEEL" "${STAMP_CHILD:-$KEEL}" "${KEEL_BENCH_PEERS:-/opt/keel-bench-peers}"
