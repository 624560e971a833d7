import KeelLinux
import KeelSandbox
import Synchronization
import SystemPackage

/// One run of an exec check, shared by the thread that runs it and whoever ends it early (its
/// timer, a cancellation).
///
/// The program starts in a session of its own (its pid is its process group's id), stdin on
/// /dev/null, stdout and stderr into one pipe of which the end is kept. Its group is signalled
/// only while the program is not reaped, so the group id cannot have been reused.
final class HealthExecRun: Sendable {
    /// The most output kept: its end.
    static let outputLimit = 4096
    /// The most of the last line of output quoted in a reason.
    static let quotedLimit = 200

    private struct State {
        /// The program's pid once started, until it is reaped.
        var unreapedPID: Int32?
        /// Why it was ended early, if it was.
        var endedBecause: String?
    }

    private let arguments: [String]
    private let environment: [String: String]
    private let workingDirectory: String
    private let state = Mutex(State())

    /// A run of `arguments` (`arguments[0]` a path) with `environment` in `workingDirectory`.
    init(arguments: [String], environment: [String: String], workingDirectory: String) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// Ends the run early for `reason` (the verdict's): kills the process group now, or as soon
    /// as the program has started. Only the first reason counts.
    func end(because reason: String) {
        state.withLock { state in
            if state.endedBecause == nil { state.endedBecause = reason }
            if let pid = state.unreapedPID { Self.killGroup(pid) }
        }
    }

    /// Starts the program, collects the end of its output, waits for it to end, kills what it
    /// left in its group and reaps it all (blocking).
    func runToEnd() -> HealthVerdict {
        let program = arguments[0]
        if let endedBecause = state.withLock({ $0.endedBecause }) { return .failed(endedBecause) }
        let pipe: PipeEnds
        do throws(SystemError) { pipe = try PipeEnds() } catch { return .failed("cannot run \(program): \(error)") }
        let reading = FileDescriptor(rawValue: pipe.reading)
        defer { FileSystem.close(reading) }
        let process: SandboxedProcess
        do throws(SandboxError) {
            process = try Sandbox.spawnOnHost(
                executable: program, arguments: Array(arguments.dropFirst()), environment: environment,
                workingDirectory: workingDirectory, standardOutput: pipe.writing, standardError: pipe.writing)
        } catch {
            FileSystem.close(FileDescriptor(rawValue: pipe.writing))
            let reason = SystemError.reason(of: error.errno)
            return .failed("cannot run \(program): \(error.step == program ? reason : "\(error.step): \(reason)")")
        }
        FileSystem.close(FileDescriptor(rawValue: pipe.writing))
        let pid = process.pid
        guard let pidfd = process.pidfd else {
            _ = try? process.kill()
            _ = try? process.wait()
            return .failed("cannot run \(program): this kernel has no pidfd_open (Linux 5.3 or later is needed)")
        }
        state.withLock { state in
            state.unreapedPID = pid
            if state.endedBecause != nil { Self.killGroup(pid) }
        }
        var output = HealthOutputTail(limit: Self.outputLimit)
        var outputOpen = true
        // Until the program has ended (not until its output ends: something it left behind may
        // hold the pipe), then what its pipe holds.
        Self.read(&output, open: &outputOpen, from: reading, until: pidfd)
        Self.killLeftovers(group: pid)
        Self.read(&output, open: &outputOpen, from: reading, until: pidfd)
        let (termination, endedBecause) = state.withLock { state in
            state.unreapedPID = nil
            return (try? process.wait(), state.endedBecause)
        }
        if let endedBecause { return .failed(endedBecause) }
        switch termination {
        case .exited(0): return .passed
        case .exited(let status): return Self.failure("exit \(status)", output)
        case .signaled(let signal): return Self.failure("killed by signal \(signal)", output)
        case nil: return .failed("\(program) could not be reaped")
        }
    }

    private static func failure(_ ending: String, _ output: HealthOutputTail) -> HealthVerdict {
        let line = output.lastLine(maximum: quotedLimit)
        return .failed(line.isEmpty ? ending : "\(ending): \(line)")
    }

    /// Reads `reading` into `output` until `pidfd` is readable (its process has ended) and the
    /// pipe has nothing left to read now. Once the process has ended the poll no longer blocks,
    /// so this never waits for another holder of the pipe.
    private static func read(
        _ output: inout HealthOutputTail, open: inout Bool, from reading: FileDescriptor, until pidfd: FileDescriptor
    ) {
        while true {
            guard let ready = try? Polling.waitForInput(open ? [reading, pidfd] : [pidfd]) else { return }
            let outputReady = open && ready[0]
            if outputReady { open = (try? output.read(from: reading)) ?? false }
            if ready[ready.count - 1] && !outputReady { return }
        }
    }

    /// SIGKILL to process group `group` (whose leader has ended, not been reaped), then rounds of:
    /// find the group's processes, kill them, wait for each to end, reap those that are this
    /// process's children (as a subreaper, what the program left was reparented here); until a
    /// round finds none alive and none to reap. A zombie another process will reap is skipped.
    private static func killLeftovers(group: Int32) {
        killGroup(group)
        let ownPID = ProcessTree.ownPID
        while let snapshot = try? ProcessTree.snapshot() {
            var held: [(entry: ProcessEntry, pidfd: FileDescriptor)] = []
            for entry in snapshot
            where entry.processGroup == group && entry.pid != group && (!entry.isZombie || entry.parent == ownPID) {
                guard let pidfd = try? ProcessTree.openPidfd(entry.pid) else { continue }
                guard ProcessTree.entry(of: entry.pid)?.startTime == entry.startTime else {
                    FileSystem.close(pidfd)
                    continue
                }
                _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.killSignal)
                held.append((entry, pidfd))
            }
            if held.isEmpty { return }
            for (entry, pidfd) in held {
                _ = try? Polling.waitForInput([pidfd])
                // Ended, so not reaped by anyone else yet and its pid cannot have been reused.
                if let now = ProcessTree.entry(of: entry.pid), now.startTime == entry.startTime, now.parent == ownPID {
                    _ = try? ProcessControl.wait(entry.pid)
                }
                FileSystem.close(pidfd)
            }
        }
    }

    /// SIGKILL to process group `group`; a group already empty is fine.
    private static func killGroup(_ group: Int32) {
        try? ProcessTree.signalGroup(group, ProcessControl.killSignal)
    }
}
