import Foundation
import KeelLinux
import KeelSandbox
import KeelSupervisor
import KeelTesting
import Synchronization
import Testing

@Suite(.ownThreads) struct AgentProcessTests {
    private static let environment = ["PATH": "/usr/bin:/bin"]

    /// Starts `/bin/sh -c script` as an agent logging to `directory/log`.
    private func start(
        _ script: String, in directory: TemporaryDirectory, name: String = "test",
        onExit: @escaping @Sendable (Termination) -> Void = { _ in }
    ) throws -> AgentProcess {
        let log = try AgentLog(directory: directory.appending("log-\(name)"), maxSize: 1 << 20, keep: 2)
        return try AgentProcess.start(
            name: name, arguments: ["/bin/sh", "-c", script, "agent", directory.path],
            environment: Self.environment, workingDirectory: directory.appending("work-\(name)"), log: log,
            onExit: onExit)
    }

    private func logText(_ agent: AgentProcess) -> String {
        let bytes = (try? FileSystem.readWholeFile(agent.log.directory + "/current")) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the fifo at `path` to its end on a thread of its own (its writers say which
    /// processes they are, one `WORD PID` line each, and close it when all are started).
    /// A watchdog opens and closes the fifo for writing after 30 s, so a script that broke
    /// before writing to it fails the test (with no announcements) instead of hanging it.
    private func readAnnouncements(_ path: String) async throws -> [(word: String, process: ProcessEntry)] {
        let finished = DispatchSemaphore(value: 0)
        DetachedThread.start {
            guard finished.wait(timeout: .now() + 30) == .timedOut else { return }
            let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { close(fd) }
        }
        let bytes = await withCheckedContinuation { continuation in
            DetachedThread.start {
                let bytes = (try? FileSystem.readWholeFile(path)) ?? []
                finished.signal()
                continuation.resume(returning: bytes)
            }
        }
        return try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            let pid = try #require(fields.count == 2 ? Int32(fields[1]) : nil, "\(line)")
            return (String(fields[0]), try #require(ProcessTree.entry(of: pid), "\(line): no such process"))
        }
    }

    /// Whether `process` is gone: no process, not even a zombie, holds its pid with its start time.
    private func isGone(_ process: ProcessEntry) -> Bool {
        ProcessTree.entry(of: process.pid)?.startTime != process.startTime
    }

    private func makeFifo(_ path: String) throws {
        let result = try ProcessRunner.run("mkfifo", [path])
        try #require(result.status == 0, "\(result.errorOutput)")
    }

    @Test func reportsTheExitStatusOnceAndLogsBothStreamsInOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let reported = Mutex<[Termination]>([])
        let agent = try start(
            "echo out one; echo err one >&2; echo out two; printf partial; exit 3", in: directory,
            onExit: { termination in reported.withLock { $0.append(termination) } })
        #expect(await agent.waitForExit() == .exited(3))
        await agent.waitForOutputEnd()
        #expect(agent.termination == .exited(3))
        #expect(reported.withLock { $0 } == [.exited(3)])
        #expect(logText(agent) == "out one\nerr one\nout two\npartial")
        #expect(agent.logFailure == nil)
    }

    @Test func itsLogHasAllItWroteWhenItsExitIsReported() async throws {
        // The output's end reaches the watcher before the exit does: the log is complete when the
        // exit is reported (onExit runs on the watcher's thread).
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let logged = Mutex<[String]>([])
        let logFile = directory.appending("log-test") + "/current"
        let agent = try start(
            "i=0; while [ $i -lt 3000 ]; do echo \"line $i\"; i=$((i + 1)); done; exit 4", in: directory,
            onExit: { _ in
                let bytes = (try? FileSystem.readWholeFile(logFile)) ?? []
                logged.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
            })
        #expect(await agent.waitForExit() == .exited(4))
        let expected = (0..<3000).map { "line \($0)\n" }.joined()
        #expect(logged.withLock { $0 } == [expected])
        await agent.waitForOutputEnd()
        #expect(logText(agent) == expected)
    }

    @Test func reportsTheSignalThatEndedIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let agent = try start("kill -USR1 $$", in: directory)
        #expect(await agent.waitForExit() == .signaled(SIGUSR1))
    }

    @Test func runsInItsWorkingDirectoryWithItsEnvironmentAndItsOwnSession() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let agent = try start(
            #"pwd; echo "path=$PATH"; test -n "$KEEL_AGENT_INSTANCE" && echo marked; cut -d' ' -f6 /proc/$$/stat"#,
            in: directory)
        #expect(await agent.waitForExit() == .exited(0))
        await agent.waitForOutputEnd()
        let lines = logText(agent).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.prefix(3) == [directory.appending("work-test"), "path=/usr/bin:/bin", "marked"])
        #expect(lines.last == "\(agent.pid)")
    }

    @Test func aProgramThatCannotRunIsNamedInTheError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.appending("log"), maxSize: 100, keep: 1)
        #expect {
            _ = try AgentProcess.start(
                name: "ghost", arguments: [directory.appending("missing")], environment: [:],
                workingDirectory: directory.path, log: log)
        } throws: { error in
            "\(error)".contains("agent ghost") && "\(error)".contains(directory.appending("missing"))
                && "\(error)".contains("No such file or directory")
        }
    }

    @Test func stopEndsAnAgentThatHeedsSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.appending("fifo")
        try makeFifo(fifo)
        let agent = try start(#"echo main $$ > "$1/fifo"; exec sleep 1000"#, in: directory)
        let announced = try await readAnnouncements(fifo)
        try await agent.stop(timeout: .seconds(30))
        #expect(agent.termination == .signaled(SIGTERM))
        #expect(announced.allSatisfy { isGone($0.process) })
    }

    /// The agent stays alive ignoring SIGTERM; two children in its group ignore it too; one
    /// double-forks and calls setsid, so it leaves the group and is reparented here.
    @Test func stopKillsATreeThatIgnoresSIGTERMAndLeavesItsGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFifo(directory.appending("fifo"))
        let script = #"""
            exec 3>"$1/fifo"
            trap '' TERM
            sleep 1000 3>&- & echo child $! >&3
            sleep 1000 3>&- & echo child $! >&3
            ( setsid sh -c 'echo escaped; echo escapee $$ >&3; exec 3>&-; exec sleep 1000' & )
            echo main $$ >&3
            echo to stderr >&2
            exec sleep 1000 3>&-
            """#
        let agent = try start(script, in: directory)
        let announced = try await readAnnouncements(directory.appending("fifo"))
        #expect(announced.map(\.word).sorted() == ["child", "child", "escapee", "main"])
        let escapee = try #require(announced.first { $0.word == "escapee" }?.process)
        #expect(escapee.session == escapee.pid)
        #expect(escapee.parent == ProcessTree.ownPID)
        // Orphans go to the reaper's main thread, which the supervisor's quick look reads.
        #expect(ProcessTree.childrenOfMainThread()?.contains(escapee.pid) == true)
        #expect(
            Set(try agent.descendants().map(\.pid)) == Set(announced.filter { $0.word != "main" }.map(\.process.pid)))
        try await agent.stop(timeout: .milliseconds(200))
        #expect(agent.termination == .signaled(SIGKILL))
        for (word, process) in announced { #expect(isGone(process), "\(word) \(process.pid) is still there") }
        let log = logText(agent)
        #expect(log.contains("escaped\n") && log.contains("to stderr\n"), "\(log)")
    }

    /// The agent exits at once, leaving children in its session, one that left it with the
    /// marker in its environment and one with an empty environment that still holds stdout: all
    /// reparented here. Another agent's processes are left alone.
    @Test func stopFindsWhatAnExitedAgentLeftBehindAndNothingElse() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFifo(directory.appending("fifo"))
        try makeFifo(directory.appending("other-fifo"))
        let script = #"""
            exec 3>"$1/fifo"
            sleep 1000 3>&- & echo child $! >&3
            ( setsid sh -c 'exec >/dev/null 2>&1; echo marked $$ >&3; exec 3>&-; exec sleep 1000' & )
            ( setsid env -i /bin/sh -c 'echo bare $$ >&3; exec 3>&-; echo bare out; exec /bin/sleep 1000' & )
            exit 7
            """#
        let agent = try start(script, in: directory)
        let other = try start(
            #"sleep 1000 & echo other $! > "$1/other-fifo"; exec sleep 1000"#, in: directory, name: "other")
        let announced = try await readAnnouncements(directory.appending("fifo"))
        let others = try await readAnnouncements(directory.appending("other-fifo"))
        #expect(await agent.waitForExit() == .exited(7))
        #expect(announced.allSatisfy { ProcessTree.entry(of: $0.process.pid)?.parent == ProcessTree.ownPID })
        try await agent.stop(timeout: .milliseconds(200))
        for (word, process) in announced { #expect(isGone(process), "\(word) \(process.pid) is still there") }
        #expect(logText(agent) == "bare out\n")
        #expect(other.termination == nil)
        #expect(others.allSatisfy { !isGone($0.process) })
        try await other.stop(timeout: .milliseconds(200))
        #expect(other.termination == .signaled(SIGTERM))
        #expect(others.allSatisfy { isGone($0.process) })
    }

    /// A child this process spawns holds copies of every descriptor it has until its exec, the
    /// read ends of its agents' output pipes among them; one that keeps such a copy (here as its
    /// stdin) is not the agent's: stopping the agent leaves it alone.
    @Test func stopLeavesAChildThatHoldsOnlyTheReadEndOfTheAgentsPipe() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.appending("fifo")
        try makeFifo(fifo)
        let agent = try start(#"echo main $$ > "$1/fifo"; exec sleep 1000"#, in: directory)
        _ = try await readAnnouncements(fifo)
        let agentOutput = try FileSystem.readLink(Array("/proc/\(agent.pid)/fd/1".utf8))
        let ownDescriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let readEnd = try #require(
            ownDescriptors.compactMap(Int32.init).first { fd in
                (try? FileSystem.readLink(Array("/proc/self/fd/\(fd)".utf8))) == agentOutput
            }, "this process holds no end of \(String(decoding: agentOutput, as: UTF8.self))")
        let bystander = try Sandbox.spawnOnHost(
            executable: "/bin/sleep", arguments: ["1000"], workingDirectory: "/", standardInput: readEnd)
        defer {
            _ = try? bystander.signal(SIGKILL)
            _ = try? bystander.wait()
        }
        #expect(try agent.descendants().allSatisfy { $0.pid != bystander.pid })
        try await agent.stop(timeout: .seconds(30))
        #expect(agent.termination == .signaled(SIGTERM))
        #expect(try bystander.signal(0) == .delivered, "the bystander holding the read end was ended")
        #expect(ProcessTree.entry(of: bystander.pid)?.isZombie == false)
    }

    @Test func stopKillsOnlyOnceTheGracePeriodHasPassedOnItsClock() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFifo(directory.appending("fifo"))
        let agent = try start(#"trap '' TERM; echo main $$ > "$1/fifo"; exec sleep 1000"#, in: directory)
        let announced = try await readAnnouncements(directory.appending("fifo"))
        let clock = ManualClock()
        async let stopped: Void = agent.stop(timeout: .seconds(10), clock: clock)
        #expect(await clock.waitForSleeper(until: .at(.seconds(10))))
        #expect(agent.termination == nil)
        #expect(announced.allSatisfy { !isGone($0.process) })
        clock.advance(by: .seconds(10))
        try await stopped
        #expect(agent.termination == .signaled(SIGKILL))
        #expect(announced.allSatisfy { isGone($0.process) })
    }

    @Test func stopEndsTheGracePeriodAsSoonAsTheTreeHasEnded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try makeFifo(directory.appending("fifo"))
        let agent = try start(#"sleep 1000 & echo child $! > "$1/fifo"; exec sleep 1000"#, in: directory)
        let announced = try await readAnnouncements(directory.appending("fifo"))
        let clock = ManualClock()
        try await agent.stop(timeout: .seconds(10), clock: clock)
        #expect(clock.now == .at(.zero))
        #expect(agent.termination == .signaled(SIGTERM))
        #expect(announced.allSatisfy { isGone($0.process) })
    }
}
