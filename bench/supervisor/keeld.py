"""Keel's side of bench/supervisor.sh: a root on tmpfs, keel.toml files, `keel switch`, and
`keel daemon --root ROOT` started and stopped like the peers."""
import json, os, shutil, subprocess, time

from procs import BenchError, Started


def run(args, timeout=300):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def has_subcommand(keel, *words):
    """Whether `keel WORDS --help` shows that command's own usage (an unknown one shows keel's)."""
    code, out, err = run([keel, *words, "--help"], timeout=30)
    return code == 0 and f"USAGE: keel {' '.join(words)}" in out + err


def check_daemon(keel):
    """The keel side needs `keel daemon` and its clients; say so clearly when they are missing."""
    needed = (("daemon",), ("status",), ("events",))
    missing = [" ".join(words) for words in needed if not has_subcommand(keel, *words)]
    if missing:
        raise BenchError(f"{keel} has no `keel {'`, `keel '.join(missing)}` yet: keel's side cannot be measured "
                         f"(PEERS_ONLY=1 measures the peers alone)")


def check_stamp_child(child, work):
    """`CHILD test-agent stamp FILE` must append `start NS` and `exit NS`."""
    probe = os.path.join(work, "stamp-probe")
    code, _, err = run([child, "test-agent", "stamp", probe], timeout=30)
    lines = (open(probe).read().split("\n") if os.path.exists(probe) else [])
    if code != 0 or len(lines) < 2 or not lines[0].startswith("start ") or not lines[1].startswith("exit "):
        first = (err.strip().splitlines() or [""])[0][:200]
        raise BenchError(f"`{child} test-agent stamp FILE` does not work yet (exit {code}: {first}); "
                         f"every supervisor's child is `keel test-agent stamp`")
    os.remove(probe)


class KeelHost:
    """One Keel root with its keel.toml directory, and the daemon serving it."""

    def __init__(self, keel, work, mark):
        self.keel, self.work, self.mark = keel, work, mark
        self.root = os.path.join(work, "root")
        self.daemon = None
        os.makedirs(work, exist_ok=True)

    def write_config(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def switch(self, config):
        """`keel switch -f CONFIG`; returns (exit code, stdout, stderr)."""
        return run([self.keel, "switch", "-f", config, "--root", self.root, "--json"])

    def switch_or_fail(self, config):
        code, out, err = self.switch(config)
        if code != 0:
            raise BenchError(f"keel switch -f {config} failed: {err.strip()[-800:]}")
        return json.loads(out)

    def start_daemon(self):
        log = os.path.join(self.work, "daemon.log")
        self.daemon = Started("keel daemon", [self.keel, "daemon", "--root", self.root], self.work, self.mark, log)
        socket = os.path.join(self.root, "run", "keel.sock")
        deadline = time.monotonic() + 30
        while not os.path.exists(socket):
            self.daemon.check_running()
            if time.monotonic() > deadline:
                raise BenchError(f"keel daemon did not create {socket} within 30 s")
            time.sleep(0.02)
        return self.daemon

    def stop_daemon(self):
        if self.daemon:
            self.daemon.stop(timeout=60)
            if self.daemon.process.returncode not in (0, -15):
                print(f"    note: keel daemon exited {self.daemon.process.returncode} on SIGTERM", flush=True)
            self.daemon = None

    def status(self):
        code, out, err = run([self.keel, "status", "--json", "--root", self.root], timeout=30)
        if code != 0:
            raise BenchError(f"keel status --json failed: {err.strip()[-500:]}")
        return json.loads(out)

    def wait_status(self, predicate, what, timeout=60, interval=0.05):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.daemon:
                self.daemon.check_running()
            last = self.status()
            if predicate(last):
                return last
            time.sleep(interval)
        raise BenchError(f"keel daemon: {what} not reached within {timeout} s; last status: "
                         f"{json.dumps(last)[:1500]}")

    def agent_package(self, name, files):
        """A src package directory NAME holding FILES (name -> (source path or text, executable))."""
        directory = os.path.join(self.work, name)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for file, (content, is_path) in files.items():
            target = os.path.join(directory, file)
            if is_path:
                shutil.copy2(content, target)
            else:
                with open(target, "w") as f:
                    f.write(content)
            os.chmod(target, 0o755)
        return directory


def agents_of(status):
    agents = status.get("agents") or []
    if isinstance(agents, dict):
        return list(agents.values())
    return agents
