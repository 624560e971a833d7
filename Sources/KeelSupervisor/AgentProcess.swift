import KeelLinux
import KeelSandbox
import Synchronization
import SystemPackage

/// One running agent: its process tree, its output going to its `AgentLog`, its exit reported
/// once.
///
/// The agent starts in a session of its own (so its pid is also its session's and process
/// group's id), with the host's file system, the environment it is given plus
/// `KEEL_AGENT_INSTANCE` (a marker unique to this start), stdin on /dev/null and stdout and
/// stderr on one pipe, so their lines reach the log in the order they were written. This
/// process becomes a child subreaper the first time an agent starts, so whatever the agent's
/// processes leave behind is reparented here rather than to init, where `stop` finds it.
///
/// The process's one `InputWatcher` thread waits (in `epoll`, for every agent) on the output
/// pipe and on the agent's pidfd: output goes to the log as it arrives; the exit is reaped and
/// reported once, through `onExit` and `waitForExit()`. Nothing polls on a timer.
public final class AgentProcess: Sendable {
    /// The environment variable holding the marker of one start.
    public static let instanceVariable = "KEEL_AGENT_INSTANCE"

    /// The name messages call it by.
    public let name: String
    /// The agent's pid (and its session's and process group's id).
    public let pid: Int32
    /// Where its output goes.
    public let log: AgentLog

    private let process: SandboxedProcess
    private let pidfd: FileDescriptor
    /// The agent's pidfd, for `stop` (in another file).
    var pidfdForStop: FileDescriptor { pidfd }
    private let tree: AgentProcessTree
    private let onExit: @Sendable (Termination) -> Void
    private let state = Mutex(State())

    private struct State {
        /// Set when the agent was reaped (under this lock, which scans of its tree take too).
        var termination: Termination?
        var outputEnded = false
        /// Start times by pid of the processes of its tree found so far (still in `/proc`).
        var known: [Int32: UInt64] = [:]
        var logFailure: SupervisorError?
        var exitWaiters: [CheckedContinuation<Termination, Never>] = []
        var outputWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The result of making this process a child subreaper, tried once per process.
    private static let subreaperFailure: SystemError? = {
        do throws(SystemError) {
            try Subreaper.becomeChildSubreaper()
            return nil
        } catch {
            return error
        }
    }()

    private init(
        name: String, process: SandboxedProcess, pidfd: FileDescriptor, tree: AgentProcessTree, log: AgentLog,
        onExit: @escaping @Sendable (Termination) -> Void
    ) {
        self.name = name
        self.pid = process.pid
        self.process = process
        self.pidfd = pidfd
        self.tree = tree
        self.log = log
        self.onExit = onExit
    }

    /// Starts an agent.
    ///
    /// - Parameters:
    ///   - name: what messages call it.
    ///   - arguments: the program's path (no `PATH` search) and its arguments.
    ///   - environment: its whole environment (`KEEL_AGENT_INSTANCE` is added).
    ///   - workingDirectory: where it starts; created if missing (on the host).
    ///   - log: where its stdout and stderr go.
    ///   - launch: on the host (the default, with nothing set up) or in a sandbox, and the
    ///     cgroups, rlimits and privileges it starts with (`AgentLaunch`). In a sandbox the
    ///     working directory is a path inside it and is not created here.
    ///   - preparedDirectory: whether the working directory was made by an earlier start (it is
    ///     not made again; if it is gone, the start fails).
    ///   - onExit: called once, on the watcher's thread, when the agent has ended, just before
    ///     it is reaped (its descendants may live on until `stop`).
    /// - Throws: `SupervisorError` naming the agent and the step that failed (the working
    ///   directory, the program when it cannot be executed...).
    public static func start(
        name: String, arguments: [String], environment: [String: String], workingDirectory: String,
        log: AgentLog, launch: AgentLaunch = .plainHost, preparedDirectory: Bool = false,
        onExit: @escaping @Sendable (Termination) -> Void = { _ in }
    ) throws(SupervisorError) -> AgentProcess {
        guard let executable = arguments.first else { throw SupervisorError("agent \(name): no program to run") }
        if let failure = subreaperFailure {
            throw SupervisorError("agent \(name): cannot become a child subreaper: \(failure)")
        }
        let pipe: PipeEnds
        let inode: UInt64
        do throws(SystemError) {
            if case .host = launch, !preparedDirectory { try FileSystem.makeDirectories(workingDirectory) }
            pipe = try PipeEnds()
            do throws(SystemError) {
                inode = try FileSystem.status(of: FileDescriptor(rawValue: pipe.reading)).inode
            } catch {
                FileSystem.close(FileDescriptor(rawValue: pipe.reading))
                FileSystem.close(FileDescriptor(rawValue: pipe.writing))
                throw error
            }
        } catch {
            throw SupervisorError("agent \(name): \(error)")
        }
        let marker = randomMarker()
        var environment = environment
        environment[instanceVariable] = marker
        let process: SandboxedProcess
        do throws(SandboxError) {
            switch launch {
            case .host(let setup):
                process = try Sandbox.spawnOnHost(
                    executable: executable, arguments: Array(arguments.dropFirst()), environment: environment,
                    workingDirectory: workingDirectory, standardOutput: pipe.writing, standardError: pipe.writing,
                    setup: setup)
            case .sandbox(var spec, let setup):
                spec.executable = executable
                spec.arguments = Array(arguments.dropFirst())
                spec.environment = environment
                spec.workingDirectory = workingDirectory
                spec.standardInput = nil
                spec.standardOutput = pipe.writing
                spec.standardError = pipe.writing
                spec.killedWithSpawningThread = false
                process = try Sandbox.spawn(spec, setup: setup)
            }
        } catch {
            FileSystem.close(FileDescriptor(rawValue: pipe.reading))
            FileSystem.close(FileDescriptor(rawValue: pipe.writing))
            throw SupervisorError("agent \(name): cannot start \(error.step): \(SystemError.reason(of: error.errno))")
        }
        FileSystem.close(FileDescriptor(rawValue: pipe.writing))
        guard let pidfd = process.pidfd else {
            _ = try? process.signal(ProcessControl.killSignal)
            _ = try? process.wait()
            FileSystem.close(FileDescriptor(rawValue: pipe.reading))
            throw SupervisorError("agent \(name): this kernel has no pidfd_open (Linux 5.3 or later is needed)")
        }
        let tree = AgentProcessTree(
            agentPID: process.pid, marker: "\(instanceVariable)=\(marker)", pipeInode: inode)
        let agent = AgentProcess(
            name: name, process: process, pidfd: pidfd, tree: tree, log: log, onExit: onExit)
        let output = FileDescriptor(rawValue: pipe.reading)
        do throws(SystemError) {
            try agent.startWatching(output: output)
        } catch {
            FileSystem.close(output)
            _ = try? process.signal(ProcessControl.killSignal)
            _ = try? process.wait()
            throw SupervisorError("agent \(name): cannot watch its output and exit: \(error)")
        }
        return agent
    }

    /// 128 random bits in hex.
    private static func randomMarker() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// How it ended, once it has.
    public var termination: Termination? { state.withLock { $0.termination } }

    /// The first failure to write its log, if any (output read after it is dropped).
    public var logFailure: SupervisorError? { state.withLock { $0.logFailure } }

    /// Waits until the agent has ended and been reaped.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> Termination? in
                if let termination = state.termination { return termination }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Waits until every process holding its output pipe has closed it and the log has all of it
    /// (a last partial line included).
    public func waitForOutputEnd() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if state.outputEnded { return true }
                state.outputWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    /// Sends `signal` to the agent, and to its process group (the agent and the processes that
    /// stayed in its group) while the agent is not reaped; returns whether the group got it.
    ///
    /// The group's id is the agent's pid. Once the agent is reaped and its group empty, that
    /// number may name a stranger's new group (on a busy host with pid_max 32768 that took
    /// seconds, and every child Foundation's `Process` starts leads a group of its own), and
    /// `kill(-pid)` would reach it. Reaping takes `state`'s lock, so the group is signalled under
    /// it; after the reap, callers signal what is left of the tree one process at a time,
    /// through pidfds (`stop`, `killTree`).
    @discardableResult
    public func signal(_ signal: Int32) throws(SupervisorError) -> Bool {
        do throws(SystemError) {
            _ = try process.signal(signal)
            return try state.withLock { state throws(SystemError) -> Bool in
                guard state.termination == nil else { return false }
                try ProcessTree.signalGroup(pid, signal)
                return true
            }
        } catch {
            throw SupervisorError("agent \(name) (pid \(pid)): cannot send signal \(signal): \(error)")
        }
    }

    /// The agent's processes other than itself, now (see `AgentProcessTree` for who counts);
    /// each look remembers what it found, so a process found once is recognised after it has
    /// ended (a zombie has no environment or descriptors left to tell by).
    ///
    /// - Throws: `SupervisorError` when `/proc` cannot be read.
    public func descendants() throws(SupervisorError) -> [ProcessEntry] {
        do throws(SystemError) {
            return try state.withLock { state throws(SystemError) in
                let snapshot = try ProcessTree.snapshot()
                let members = tree.members(
                    of: snapshot, agentUnreaped: state.termination == nil, ownPID: ProcessTree.ownPID,
                    known: state.known)
                state.known = Dictionary(
                    members.map { ($0.pid, $0.startTime) }, uniquingKeysWith: { first, _ in first })
                return members
            }
        } catch {
            throw SupervisorError("agent \(name): cannot list its processes: \(error)")
        }
    }

    /// Hands the output pipe and the pidfd to the process's `InputWatcher`: output goes to the
    /// log as it arrives; the exit is reaped and reported once.
    private func startWatching(output: FileDescriptor) throws(SystemError) {
        let watcher = InputWatcher.shared
        let outputToken = try watcher.watch(output) { [self] token, scratch in
            outputReady(output, token: token, scratch: scratch)
        }
        do throws(SystemError) {
            _ = try watcher.watch(pidfd) { [self] token, _ in
                watcher.stopWatching(token, descriptor: pidfd)
                reportExit()
            }
        } catch {
            watcher.stopWatching(outputToken, descriptor: output)
            throw error
        }
    }

    /// The output pipe is readable: one read into the log, or its end.
    private func outputReady(
        _ output: FileDescriptor, token: InputWatcher.Token, scratch: UnsafeMutableRawBufferPointer
    ) {
        let count = (try? SystemCall.read(output.rawValue, into: scratch)) ?? 0
        if count > 0 {
            record { () throws(SupervisorError) in
                try log.append(UnsafeRawBufferPointer(rebasing: scratch[..<count]))
            }
            return
        }
        InputWatcher.shared.stopWatching(token, descriptor: output)
        FileSystem.close(output)
        record { () throws(SupervisorError) in try log.flush() }
        let waiters = state.withLock { state in
            state.outputEnded = true
            defer { state.outputWaiters = [] }
            return state.outputWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Keeps the first log failure; output after it is dropped, so the agent never blocks on a
    /// full pipe.
    private func record(_ write: () throws(SupervisorError) -> Void) {
        guard state.withLock({ $0.logFailure == nil }) else { return }
        do throws(SupervisorError) { try write() } catch {
            state.withLock { $0.logFailure = error }
        }
    }

    /// Reports how the ended agent ended, and reaps it. `onExit` comes first, with the status read
    /// without reaping (the zombie keeps the pid and the group taken), so a restart it starts does
    /// not wait for the reap; `waitForExit()` returns once it is reaped. Had something else in this
    /// process reaped it (a `waitpid(-1)`), its status is lost: it is reported as exit status 255.
    private func reportExit() {
        let ended = ProcessControl.endedWithoutReaping(pid)
        if let ended {
            // Marked ended first: from here the group is never signalled by its number (`signal`).
            state.withLock { $0.termination = ended }
            onExit(ended)
        }
        let (termination, waiters) = state.withLock { state in
            let reaped = (try? process.wait()) ?? .exited(255)
            let termination = ended ?? reaped
            state.termination = termination
            defer { state.exitWaiters = [] }
            return (termination, state.exitWaiters)
        }
        for waiter in waiters { waiter.resume(returning: termination) }
        if ended == nil { onExit(termination) }
    }
}
