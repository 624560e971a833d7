"""The peers keel is compared with, set up in the way each documents, with no built-in restart pause
applying (see life_script), their service directories on tmpfs. Each can run the latency child
(one service) or 100 sleeping services."""
import os, signal, subprocess

from procs import Started

SLEEPER = "#!/bin/sh\nexec /bin/sleep 1000000\n"


def life_script(child, stamps, lifetime, ready_fd=None):
    """./run for one life of the stamp child, the same for every supervisor: `child test-agent stamp`
    stamps this life's start; the life then lasts `lifetime` seconds; the last command is exec'd, so
    its exit (stamped just before) is the exit the supervisor sees. Every run thus starts and ends
    with the same child, and the path from the supervisor's fork to the start stamp (sh, fork, exec
    of the child) is the same for all. A life longer than one second keeps the peers' pauses out:
    runsv sleeps 1 s when ./run lived under 1 s, daemontools' supervise pauses 1 s after every
    start, s6-supervise pauses 1 s unless the service was ready for more than 1 s (hence the
    readiness line on its notification-fd, written after the start stamp)."""
    ready = f"echo >&{ready_fd}\n" if ready_fd else ""
    stay = f"/bin/sleep {lifetime:g}\n" if lifetime > 0 else ""
    return f"#!/bin/sh\n{child} test-agent stamp {stamps}\n{ready}{stay}exec {child} test-agent stamp {stamps}\n"


def write_executable(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def dpkg_version(package):
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return r.stdout.decode().split(":")[-1] if r.returncode == 0 else "?"


class Peer:
    """One peer: `latency` runs the stamp child as its one service, `sleepers` runs 100 sleeping ones.
    Both return (Started, stop) where stop() asks it to stop the way it documents. `long_life`: whether
    a child must live over a second for the peer to restart it without a pause of its own."""

    long_life = True

    def __init__(self, peers_dir):
        self.peers_dir = peers_dir


class Runit(Peer):
    name = "runit"

    def bin(self, tool):
        return os.path.join(self.peers_dir, "runit/usr/bin", tool)

    def version(self):
        debs = [n for n in os.listdir(os.path.join(self.peers_dir, "runit/usr/share/doc/runit"))
                if n.startswith("changelog")]
        head = subprocess.run(["zcat", os.path.join(self.peers_dir, "runit/usr/share/doc/runit", debs[0])],
                              stdout=subprocess.PIPE).stdout.decode().split("\n", 1)[0] if debs else ""
        return head.split("(")[1].split(")")[0] if "(" in head else "?"

    def latency(self, work, script, mark):
        write_executable(os.path.join(work, "child/run"), script)
        started = Started("runsv", [self.bin("runsv"), "child"], work, mark, os.path.join(work, "log"))
        return started, lambda: started.stop()  # runsv: TERM is `sv exit`: stop ./run, then exit

    def sleepers(self, work, count, mark):
        for i in range(count):
            write_executable(os.path.join(work, f"sv/s{i:03}/run"), SLEEPER)
        # runsvdir starts `runsv` from PATH.
        path = dict(os.environ, PATH=os.path.dirname(self.bin("runsv")) + ":" + os.environ.get("PATH", ""))
        started = Started("runsvdir", [self.bin("runsvdir"), os.path.join(work, "sv")], work, mark,
                          os.path.join(work, "log"), env=path)

        def stop():
            # runsvdir: HUP sends TERM to every runsv (each stops its service and exits), then exits.
            started.process.send_signal(signal.SIGHUP)
            started.stop()
        return started, stop


class S6(Peer):
    name = "s6"

    def version(self):
        return dpkg_version("s6")

    def latency(self, work, script, mark):
        write_executable(os.path.join(work, "child/run"), script)
        with open(os.path.join(work, "child/notification-fd"), "w") as f:
            f.write("3\n")
        started = Started("s6-supervise", ["s6-supervise", "child"], work, mark, os.path.join(work, "log"))
        return started, lambda: started.stop()  # s6-supervise: TERM is `s6-svc -xd`

    def sleepers(self, work, count, mark):
        scandir = os.path.join(work, "scan")
        for i in range(count):
            write_executable(os.path.join(scandir, f"s{i:03}/run"), SLEEPER)
        started = Started("s6-svscan", ["s6-svscan", scandir], work, mark, os.path.join(work, "log"))
        return started, lambda: started.stop(["s6-svscanctl", "-t", scandir])


class Daemontools(Peer):
    name = "daemontools"

    def version(self):
        return dpkg_version("daemontools")

    def latency(self, work, script, mark):
        service = os.path.join(work, "child")
        write_executable(os.path.join(service, "run"), script)
        started = Started("supervise", ["supervise", "child"], work, mark, os.path.join(work, "log"))
        return started, lambda: started.stop(["svc", "-dx", service])

    def sleepers(self, work, count, mark):
        scandir = os.path.join(work, "service")
        services = [os.path.join(scandir, f"s{i:03}") for i in range(count)]
        for service in services:
            write_executable(os.path.join(service, "run"), SLEEPER)
        started = Started("svscan", ["svscan", scandir], work, mark, os.path.join(work, "log"))

        def stop():
            # svscan has no stop command: end it, then tell each supervise to stop its service and exit.
            started.stop()
            subprocess.run(["svc", "-dx"] + services, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return started, stop


class Supervisord(Peer):
    name = "supervisord"
    # Its event loop polls with a 1 s timeout and starts the next child on the pass after the one
    # that reaped the exit: ~1 s per restart (2 s when the child's pipe closed a pass before it could
    # be reaped), however long the child lived; so its child's life is not stretched.
    long_life = False

    def bin(self):
        return os.path.join(self.peers_dir, "supervisor-venv/bin/supervisord")

    def version(self):
        return subprocess.run([self.bin(), "--version"], stdout=subprocess.PIPE).stdout.decode().strip()

    def start(self, work, programs, mark):
        # startsecs=0: running as soon as spawned, so a child that ends early is an expected exit,
        # not a start failure sent into BACKOFF; autorestart=true: restart after every exit;
        # redirect_stderr: one output pipe for its loop to watch instead of two.
        lines = ["[supervisord]", "nodaemon=true", f"logfile={work}/supervisord.log", f"pidfile={work}/supervisord.pid",
                 f"childlogdir={work}", "loglevel=warn", ""]
        for name, command in programs:
            lines += [f"[program:{name}]", f"command={command}", "startsecs=0", "autorestart=true",
                      "startretries=1000000", "redirect_stderr=true", "stdout_logfile=NONE", ""]
        config = os.path.join(work, "supervisord.conf")
        with open(config, "w") as f:
            f.write("\n".join(lines))
        started = Started("supervisord", [self.bin(), "-n", "-c", config], work, mark, os.path.join(work, "log"))
        return started, lambda: started.stop()  # TERM: stop every program, then exit

    def latency(self, work, script, mark):
        run = os.path.join(work, "run")
        write_executable(run, script)
        return self.start(work, [("child", run)], mark)

    def sleepers(self, work, count, mark):
        return self.start(work, [(f"s{i:03}", "/bin/sleep 1000000") for i in range(count)], mark)


def all_peers(peers_dir):
    return [Runit(peers_dir), S6(peers_dir), Daemontools(peers_dir), Supervisord(peers_dir)]
