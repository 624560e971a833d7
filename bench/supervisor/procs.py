"""Processes for bench/supervisor.sh: start a supervisor, read its tree's memory and CPU from /proc,
stop it, and make sure nothing it started is left running."""
import os, signal, subprocess, time

MARK_VARIABLE = "KEEL_BENCH_SUPERVISOR_RUN"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A failure worth one clear line: the bench stops and says it."""


def read(path, default=None):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return default


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def parent_of(pid):
    stat = read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    return int(stat[stat.rindex(b")") + 2:].split()[1])


def command_name(pid):
    return (read(f"/proc/{pid}/comm", b"") or b"").decode().strip()


def descendants(root):
    """root and every process below it (one pass over /proc)."""
    children = {}
    for pid in all_pids():
        parent = parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def marked(mark, work):
    """Every process of this run: a mark starting with `mark` in its environment, or the work directory on
    its command line."""
    found, prefix = [], f"{MARK_VARIABLE}={mark}".encode()
    for pid in all_pids():
        if pid == os.getpid():
            continue
        environ = read(f"/proc/{pid}/environ", b"") or b""
        cmdline = read(f"/proc/{pid}/cmdline", b"") or b""
        if any(entry.startswith(prefix) for entry in environ.split(b"\0")) or work.encode() in cmdline:
            found.append(pid)
    return found


def status_field(pid, name):
    for line in (read(f"/proc/{pid}/status", b"") or b"").decode().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def memory_kib(pid):
    """(VmRSS, Pss) in KiB."""
    pss = 0
    for line in (read(f"/proc/{pid}/smaps_rollup", b"") or b"").decode().splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1])
    return status_field(pid, "VmRSS"), pss


def cpu_ticks(pid):
    """utime + stime of all its threads, in clock ticks."""
    stat = read(f"/proc/{pid}/stat")
    if stat is None:
        return 0
    fields = stat[stat.rindex(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def context_switches(pid):
    """Voluntary and involuntary context switches by thread id: how often each thread woke up."""
    counts = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return counts
    for task in tasks:
        total = 0
        for line in (read(f"/proc/{pid}/task/{task}/status", b"") or b"").decode().splitlines():
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
        counts[task] = total
    return counts


def wakeups_between(before, after):
    """Wake-ups between two `context_switches` readings: each surviving thread's increase, plus
    every switch of a thread started in between (a thread that ended in between is not seen,
    so this is a lower bound)."""
    return sum(count - before.get(task, 0) for task, count in after.items())


def alive(pid):
    stat = read(f"/proc/{pid}/stat")
    return stat is not None and stat[stat.rindex(b")") + 2:][:1] != b"Z"


class Started:
    """A supervisor this bench started: its Popen, and how to ask it to stop."""

    def __init__(self, name, args, cwd, mark, log, env=None):
        self.name = name
        environment = dict(env or os.environ)
        environment[MARK_VARIABLE] = mark
        self.log = open(log, "ab")
        self.process = subprocess.Popen(args, cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid

    def log_tail(self, size=1500):
        """The end of what it wrote (its work directory is removed at the end of the run)."""
        self.log.flush()
        return (read(self.log.name, b"") or b"").decode(errors="replace")[-size:].strip()

    def check_running(self):
        if self.process.poll() is not None:
            raise BenchError(f"{self.name} exited ({self.process.returncode}): {self.log_tail()}")

    def stop(self, how=None, timeout=15):
        """Asks it to stop (a command, else SIGTERM) and waits; SIGKILL after timeout."""
        if self.process.poll() is None:
            if how:
                subprocess.run(how, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            else:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def sweep(mark, work, timeout=5):
    """Ends, by pid, whatever of this run is still running (leftovers of a stopped supervisor, such
    as a run script's sleep), and checks nothing is left. Returns what had to be killed."""
    leftovers = [(pid, command_name(pid)) for pid in marked(mark, work) if alive(pid)]
    for pid, _ in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        remaining = [pid for pid in marked(mark, work) if alive(pid)]
        if not remaining:
            return leftovers
        time.sleep(0.05)
    remaining = [(pid, command_name(pid)) for pid in marked(mark, work) if alive(pid)]
    raise BenchError(f"processes of this run are still running after SIGKILL: {remaining}")
