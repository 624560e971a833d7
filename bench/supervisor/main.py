"""bench/supervisor.sh's measurements; see the comment at the top of that script.
usage: main.py KEEL CHILD PEERS_DIR"""
import glob, json, math, os, queue, shutil, socket, statistics, subprocess, sys, tempfile, threading, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keeld import KeelHost, agents_of, check_daemon, check_stamp_child  # noqa: E402
from peers import S6, all_peers, life_script  # noqa: E402
from procs import (CLOCK_TICKS, BenchError, command_name, context_switches, cpu_ticks, descendants,  # noqa: E402
                   memory_kib, sweep, wakeups_between)

KEEL, CHILD, PEERS_DIR = sys.argv[1:4]
RESTARTS = int(os.environ.get("RESTARTS", "500"))
RUNS = int(os.environ.get("RUNS", "20"))
DURATION = float(os.environ.get("DURATION", "60"))
LIFETIME = float(os.environ.get("LIFETIME", "1.1"))
ROUND = max(1, int(os.environ.get("ROUND", "50")))
PARTS = [p.strip() for p in os.environ.get("PARTS", "latency,memory,safeswitch").split(",") if p.strip()]
PEERS_ONLY = os.environ.get("PEERS_ONLY", "") not in ("", "0")
PARALLEL = os.environ.get("PARALLEL", "") not in ("", "0")
SUPERVISORS = [n.strip() for n in os.environ.get("SUPERVISORS", "keel,runit,s6,daemontools,supervisord").split(",")
               if n.strip()]
SLEEPING_AGENTS = 100
TOKEN = uuid.uuid4().hex[:12]


def verdict(ok):
    return "met" if ok else "MISSED"


def log(text):
    print(f"== {text}", file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stamp_lives(path):
    """The stamps file as lives: each life is one run of the life script, [start, exit, start, exit]."""
    lines = [line.split() for line in (open(path).read().splitlines() if os.path.exists(path) else [])]
    lives = []
    for i in range(0, len(lines) - len(lines) % 4, 4):
        chunk = lines[i:i + 4]
        if [kind for kind, _ in chunk] != ["start", "exit", "start", "exit"]:
            raise BenchError(f"{path}: line {i + 1}: lives overlap or a child failed: {chunk}")
        lives.append([int(ns) for _, ns in chunk])
    return lives


def latencies_ms(lives, count):
    gaps = []
    for before, after in zip(lives, lives[1:]):
        if after[0] <= before[3]:
            raise BenchError("a successor started before its predecessor exited")
        gaps.append((after[0] - before[3]) / 1e6)
    return gaps[:count]


# (1) restart latency ------------------------------------------------------------------------------

def keel_latency_entry(work, mark, child):
    """keel daemon restarting the same life script, shipped in a src package; the script runs `child`,
    the one copy of CHILD every supervisor runs."""
    host = KeelHost(KEEL, work, mark)
    stamps = os.path.join(work, "stamps")
    host.agent_package("agent", {"run": (life_script(child, '"$1"', LIFETIME), False)})
    note = ""

    def config(backoff):
        return host.write_config("keel.toml", f"""[host]
name = "bench-restart"

[packages.agent]
src = "./agent"

[agents.child]
command = ["${{packages.agent}}/run", "{stamps}"]
env = {{ KEEL_BENCH_SUPERVISOR_RUN = "{mark}" }}
restart = {{ policy = "always", initial_backoff = "{backoff}", max_backoff = "{backoff}" }}

# Restarting is all this agent does: no probation, and no crash loop to judge.
[safeswitch]
probation = "0s"
crash_loop = {{ exits = 10000, within = "1ms" }}
""")

    code, _, err = host.switch(config("0s"))
    if code != 0 and "initial_backoff" in err:
        note = "keel refuses initial_backoff = \"0s\", so keel ran with \"1ms\": each restart includes a 1 ms wait"
        code, _, err = host.switch(config("1ms"))
    if code != 0:
        raise BenchError(f"keel switch of the restart bench's keel.toml failed: {err.strip()[-800:]}")

    def start():
        # The generation is current before the daemon starts: it activates it at start.
        started = host.start_daemon()
        return started, host.stop_daemon
    return start, stamps, note


def chosen_peers():
    return [peer for peer in all_peers(PEERS_DIR) if peer.name in SUPERVISORS]


def latency_turn(group, restarts):
    """Starts the supervisors of `group` (side by side, staggered over one life), waits until each
    has restarted its child `restarts` times after a first restart that warms it up (not counted),
    stops them and ends what they left. Returns the latencies by label; each turn's stamps are moved
    aside, so no gap between turns counts."""
    lives_needed = restarts + 2
    running, results = {}, {}
    for index, (label, short, start, stamps, work) in enumerate(group):
        if index:
            # Side by side, staggered over one life, so their restarts rarely coincide.
            time.sleep(LIFETIME / len(group))
        started, stop = start()
        running[label] = (started, stop, stamps, work, short, time.monotonic())
    while running:
        time.sleep(0.5)
        for label in list(running):
            started, stop, stamps, work, short, since = running[label]
            lives = stamp_lives(stamps)
            started.check_running()
            timeout = lives_needed * (LIFETIME + 3.0) + 60
            if len(lives) >= lives_needed or time.monotonic() - since > timeout:
                stop()
                killed = sweep(f"{TOKEN}-{short}", work)
                del running[label]
                if len(lives) < lives_needed:
                    raise BenchError(f"{label}: only {len(lives)} of {lives_needed} lives within {timeout:.0f} s; "
                                     f"its output: {started.log_tail()}")
                results[label] = latencies_ms(lives, restarts + 1)[1:]
                os.rename(stamps, f"{stamps}.{len(glob.glob(stamps + '.*')) + 1}")
                if killed:
                    log(f"{label}: ended what its stop left running: {killed[:3]}")
    return results


def restart_latency():
    base = os.path.join(WORK, "latency")
    # One copy of the child on the run's tmpfs, executed by every supervisor: how fast a program
    # starts depends on where its file is (on this kernel, a fresh copy on ext4 is mapped in large
    # folios and starts ~0.4 ms sooner than one on tmpfs), and that must not differ between them.
    child = os.path.join(base, "child", os.path.basename(CHILD))
    os.makedirs(os.path.dirname(child))
    shutil.copy2(CHILD, child)
    entries, notes = [], []
    if not PEERS_ONLY and "keel" in SUPERVISORS:
        start, stamps, note = keel_latency_entry(os.path.join(base, "keel"), f"{TOKEN}-keel", child)
        entries.append(("keel daemon", "keel", start, stamps, os.path.join(base, "keel")))
        if note:
            notes.append(note)
    for peer in chosen_peers():
        work = os.path.join(base, peer.name)
        os.makedirs(work)
        stamps = os.path.join(work, "stamps")
        lifetime = LIFETIME if peer.long_life else 0
        script = life_script(child, stamps, lifetime, ready_fd=3 if isinstance(peer, S6) else None)
        mark = f"{TOKEN}-{peer.name}"
        entries.append((f"{peer.name} {peer.version()}", peer.name,
                        lambda peer=peer, work=work, script=script, mark=mark: peer.latency(work, script, mark),
                        stamps, work))
    turns = 1 if PARALLEL else math.ceil(RESTARTS / ROUND)
    estimate = (RESTARTS + turns) * (LIFETIME + 0.1) * (1 if PARALLEL else len(entries)) / 60
    how = "side by side" if PARALLEL else f"taking turns of {min(ROUND, RESTARTS)} restarts"
    log(f"restart latency: {RESTARTS} restarts of `{os.path.basename(CHILD)} test-agent stamp` under each of "
        f"{len(entries)} supervisors, {how} (about {estimate:.0f} min)")
    results = {entry[0]: [] for entry in entries}
    if PARALLEL:
        results.update(latency_turn(entries, RESTARTS))
    else:
        # Turns rather than one supervisor after another: the machine's speed drifts over minutes,
        # and each supervisor then sees the same mix of it.
        while any(len(results[entry[0]]) < RESTARTS for entry in entries):
            for entry in entries:
                wanted = min(ROUND, RESTARTS - len(results[entry[0]]))
                if wanted > 0:
                    results[entry[0]] += latency_turn([entry], wanted)[entry[0]]
        for entry in entries:
            log(f"{entry[0]}: done")
    print(f"(1) restart latency, a child's exit to its successor's start ({RESTARTS} restarts each; every "
          f"supervisor runs the same ./run;\n    each life lasts {LIFETIME:g} s, supervisord's no longer than its "
          f"two stamps)")
    print(f"    {'supervisor':<24}{'median':>13}{'p99':>13}{'max':>13}")
    rows = {label: (statistics.median(v), percentile(v, 99), max(v)) for label, v in results.items()}
    for label, (median, p99, worst) in rows.items():
        target = f"   (target p99 <= 10 ms: {verdict(p99 <= 10)})" if label == "keel daemon" else ""
        print(f"    {label:<24}{median:10.2f} ms{p99:10.2f} ms{worst:10.2f} ms{target}")
    for note in notes:
        print(f"    note: {note}")
    peers = {label: row for label, row in rows.items() if label != "keel daemon"}
    if peers:
        best = min(peers, key=lambda label: peers[label][0])
        if "keel daemon" in rows:
            ratio = rows["keel daemon"][0] / peers[best][0]
            print(f"    keel/best peer ({best}) median {ratio:.2f}   (target <= 1: {verdict(ratio <= 1)})")
        else:
            print(f"    best peer: {best}, median {peers[best][0]:.2f} ms (keel not measured)")
    return rows


# (2) memory and idle CPU with 100 sleeping agents ---------------------------------------------------

def supervision_processes(root):
    """The supervisor's own processes: its tree without the services (sleep) and their run scripts."""
    return [pid for pid in descendants(root) if command_name(pid) not in ("sleep", "sh")]


def count_sleepers(root):
    return sum(1 for pid in descendants(root) if command_name(pid) == "sleep")


def keel_sleepers(work, mark):
    host = KeelHost(KEEL, work, mark)
    lines = ['[host]', 'name = "bench-idle"', '']
    for i in range(SLEEPING_AGENTS):
        lines += [f'[agents.sleeper{i:03}]', 'command = ["/bin/sleep", "1000000"]',
                  f'env = {{ KEEL_BENCH_SUPERVISOR_RUN = "{mark}" }}', '']
    host.switch_or_fail(host.write_config("keel.toml", "\n".join(lines)))
    started = host.start_daemon()
    host.wait_status(lambda s: sum(1 for a in agents_of(s) if a.get("state") == "running") == SLEEPING_AGENTS,
                     f"{SLEEPING_AGENTS} agents running")
    # Idle means after the generation's probation (default 30 s): its verdict is work, not a
    # wake-up. Asked once a second, since every API call brings some of the daemon's code back.
    host.wait_status(lambda s: (s.get("probation") or {}).get("state") not in (None, "probation"),
                     "the generation past its probation", timeout=90, interval=1)
    return started, host.stop_daemon


def memory_and_idle_cpu():
    base = os.path.join(WORK, "idle")
    trees = []
    log(f"memory and idle CPU: {SLEEPING_AGENTS} sleeping services under each supervisor, then {DURATION:g} s idle")
    try:
        if not PEERS_ONLY and "keel" in SUPERVISORS:
            work = os.path.join(base, "keel")
            started, stop = keel_sleepers(work, f"{TOKEN}-idle-keel")
            trees.append(("keel daemon", "idle-keel", started, stop, work))
        for peer in chosen_peers():
            work = os.path.join(base, peer.name)
            os.makedirs(work)
            started, stop = peer.sleepers(work, SLEEPING_AGENTS, f"{TOKEN}-idle-{peer.name}")
            trees.append((f"{peer.name} {peer.version()}", f"idle-{peer.name}", started, stop, work))
        deadline = time.monotonic() + 60
        for label, _, started, _, work in trees:
            while count_sleepers(started.pid) < SLEEPING_AGENTS:
                started.check_running()
                if time.monotonic() > deadline:
                    raise BenchError(f"{label}: only {count_sleepers(started.pid)} of {SLEEPING_AGENTS} services "
                                     f"started within 60 s")
                time.sleep(0.2)
        # Let start-up settle, and keel daemon give back the code pages its last API call (the
        # bench's status polls) brought in: it does so 10 s after the last one.
        time.sleep(12)
        before = {}
        for label, _, started, _, _ in trees:
            pids = supervision_processes(started.pid)
            before[label] = (pids, {p: cpu_ticks(p) for p in pids}, {p: context_switches(p) for p in pids},
                             [memory_kib(p) for p in pids])
        t0 = time.monotonic()
        time.sleep(DURATION)
        elapsed = time.monotonic() - t0
        rows = {}
        for label, _, started, _, _ in trees:
            pids, ticks, switches, memory = before[label]
            cpu = sum(cpu_ticks(p) - ticks[p] for p in pids) / CLOCK_TICKS / elapsed * 100
            wakeups = sum(wakeups_between(switches[p], context_switches(p)) for p in pids)
            rss = sum(m[0] for m in memory) / 1024
            pss = sum(m[1] for m in memory) / 1024
            rows[label] = (len(pids), rss, pss, cpu, wakeups)
    finally:
        for label, short, started, stop, work in trees:
            stop()
            sweep(f"{TOKEN}-{short}", work)
    print(f"(2) {SLEEPING_AGENTS} sleeping services: the supervisor's own processes (services left out), "
          f"then {elapsed:.0f} s idle")
    print(f"    {'supervisor':<24}{'processes':>10}{'RSS':>12}{'PSS':>12}{'CPU':>12}{'wake-ups':>10}")
    for label, (count, rss, pss, cpu, wakeups) in rows.items():
        print(f"    {label:<24}{count:>10}{rss:>8.1f} MiB{pss:>8.1f} MiB{cpu:>9.3f} %{wakeups:>10}")
    print("    (RSS adds up each process's resident pages, shared ones once per process; PSS shares them out)")
    if "keel daemon" in rows:
        _, rss, _, cpu, wakeups = rows["keel daemon"]
        print(f"    keel daemon RSS {rss:.1f} MiB   (target <= 20 MiB: {verdict(rss <= 20)})")
        print(f"    keel daemon idle CPU {cpu:.3f} % of a core, {wakeups} wake-ups in {elapsed:.0f} s   "
              f"(target <= 0.5 %: {verdict(cpu <= 0.5)}; 0 wake-ups: {verdict(wakeups == 0)})")
    return rows


# (3) SafeSwitch -----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EventStream:
    """`keel events -f --json`, each line parsed and stamped with when it arrived."""

    def __init__(self, host):
        self.lines = queue.Queue()
        self.process = subprocess.Popen([KEEL, "events", "-f", "--json", "--root", host.root],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.lines.put((time.monotonic(), event))
        self.lines.put((time.monotonic(), None))

    def drain(self):
        while not self.lines.empty():
            self.lines.get_nowait()

    def next(self, deadline):
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None, None

    def close(self):
        self.process.terminate()
        self.process.wait()


def is_rollback(event):
    return event.get("kind") == "system.rollback"


def is_healthy(event, agent):
    """A passing health check of `agent`: `agent.health` with passed=true."""
    if event.get("kind") != "agent.health" or event.get("subject") != agent:
        return False
    return str((event.get("details") or {}).get("passed", "")).lower() == "true"


def web_healthy(status, generation):
    web = [a for a in agents_of(status) if a.get("name") == "web"]
    probation = status.get("probation") or {}
    return (status.get("generation") == generation and web and web[0].get("health") == "healthy"
            and probation.get("state") != "probation")


def safeswitch():
    work = os.path.join(WORK, "safeswitch")
    mark = f"{TOKEN}-safeswitch"
    host = KeelHost(KEEL, work, mark)
    port = free_port()
    # The agent is keel's test agent serving GET /health, ready when its health check passes; the
    # broken deploy of it exits 1 at once. Health checks and SafeSwitch keep their defaults. The
    # agent runs the installed keel by its host path: a src package holding a copy would have
    # `keel switch` hash 80 MB each time, which is not what a switch costs.
    health = f'health = {{ http = "http://127.0.0.1:{port}/health" }}'
    good = host.write_config("good.toml", f"""[host]
name = "bench-safeswitch"

[agents.web]
command = [{json.dumps(KEEL)}, "test-agent", "--http", "127.0.0.1:{port}"]
ready = "health"
{health}
env = {{ KEEL_BENCH_SUPERVISOR_RUN = "{mark}" }}

# The good generation needs no probation of its own; the bad ones below keep every default.
[safeswitch]
probation = "0s"
""")
    generation = host.switch_or_fail(good)["generation"]
    log(f"SafeSwitch: {RUNS} switches to a generation whose agent exits at once")
    times, switch_times, events = [], [], None
    try:
        host.start_daemon()
        host.wait_status(lambda s: web_healthy(s, generation), f"generation {generation} with web healthy")
        events = EventStream(host)
        time.sleep(1)
        for run in range(RUNS):
            bad = host.write_config(f"bad-{run}.toml", f"""[host]
name = "bench-safeswitch"

[agents.web]
command = [{json.dumps(KEEL)}, "test-agent", "--exit-after", "0", "--exit-code", "1"]
ready = "health"
{health}
env = {{ KEEL_BENCH_SUPERVISOR_RUN = "{mark}", BENCH_RUN = "{run}" }}
""")
            events.drain()
            t0 = time.monotonic()
            code, _, err = host.switch(bad)
            switched = time.monotonic()
            if code != 0:
                raise BenchError(f"keel switch -f {bad} failed: {err.strip()[-800:]}")
            seen, rolled_back, deadline = [], False, t0 + 60
            while True:
                at, event = events.next(deadline)
                if event is None:
                    raise BenchError(f"run {run + 1}: no rollback and healthy `web` within 60 s; events seen: "
                                     f"{json.dumps(seen)[-2000:]}")
                seen.append(event)
                rolled_back = rolled_back or is_rollback(event)
                if rolled_back and is_healthy(event, "web"):
                    break
            times.append(at - t0)
            switch_times.append(switched - t0)
            host.wait_status(lambda s: web_healthy(s, generation), f"generation {generation} back, web healthy")
    finally:
        if events:
            events.close()
        host.stop_daemon()
        sweep(mark, work)
    median = statistics.median(times)
    print(f"(3) SafeSwitch: `keel switch` to a generation whose agent exits at once, until the previous "
          f"generation's agent passes its health check again ({RUNS} runs; default [safeswitch] and health settings)")
    print(f"    median {median:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s   "
          f"(target <= 1.5 s: {verdict(median <= 1.5)}; osModa advertises < 6 s)")
    print(f"    `keel switch` itself returned after {statistics.median(switch_times):.2f} s (median)")
    return times


def main():
    global WORK
    unknown = [p for p in PARTS if p not in ("latency", "memory", "safeswitch")]
    if unknown:
        raise BenchError(f"PARTS: unknown part(s) {unknown}; choose from latency, memory, safeswitch")
    unknown = [s for s in SUPERVISORS if s not in ("keel", "runit", "s6", "daemontools", "supervisord")]
    if unknown:
        raise BenchError(f"SUPERVISORS: unknown {unknown}; choose from keel, runit, s6, daemontools, supervisord")
    WORK = tempfile.mkdtemp(prefix="keel-bench-supervisor.", dir="/dev/shm")
    try:
        check_stamp_child(CHILD, WORK)
        if not PEERS_ONLY and "keel" in SUPERVISORS:
            check_daemon(KEEL)
        if CHILD != KEEL:
            print(f"    WARNING: the child is {CHILD}, not keel's own `keel test-agent stamp` (STAMP_CHILD): "
                  f"not figures to publish")
        if "latency" in PARTS:
            restart_latency()
        if "memory" in PARTS:
            memory_and_idle_cpu()
        if "safeswitch" in PARTS:
            if PEERS_ONLY or "keel" not in SUPERVISORS:
                print("(3) SafeSwitch: skipped (it measures keel alone)")
            else:
                safeswitch()
    finally:
        left = sweep(TOKEN, WORK)
        if left:
            log(f"ended {len(left)} leftover process(es) of this run: {left[:5]}")
        shutil.rmtree(WORK, ignore_errors=True)
        log("torn down: no process of this run is left, and its tmpfs directory is removed")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(1)
