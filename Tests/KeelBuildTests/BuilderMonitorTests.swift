import KeelLinux
import KeelSandbox
import KeelTesting
import Synchronization
import SystemPackage
import Testing

@testable import KeelBuild

/// The builder monitor's time limits, on a manual clock: the builder is a real sandboxed busybox
/// sh, but no test waits for a limit in real time. A limit that fires early, late or never makes
/// a test fail rather than hang: an early kill ends `follow` before the timer is armed for the
/// instant the test expects, and a kill that never comes is caught by a watchdog that kills the
/// builder after `Watchdog.defaultLimit` of real time (it never fires in a passing run).
@Suite("The builder monitor's time limits", .ownThreads)
struct BuilderMonitorTests {
    @Test("--timeout: the builder is killed when the clock reaches the limit, not a moment before")
    func timeout() async throws {
        let clock = ManualClock()
        let builder = try MonitoredBuilder(script: "echo started; exec busybox sleep 1000", clock: clock)
        defer { builder.remove() }
        let ending = builder.follow(BuilderMonitor(timeout: .seconds(60), maxSilentTime: nil, clock: clock))
        var lines = builder.lines.makeAsyncIterator()
        #expect(await lines.next() == "started")
        try await builder.expectTimer(at: .seconds(60))
        clock.advance(by: .seconds(59))
        #expect(clock.sleepers == [.at(.seconds(60))])
        clock.advance(by: .seconds(1))
        #expect(try await ending.value == .timedOut)
        #expect(clock.sleepers.isEmpty)
    }

    @Test("--max-silent-time: output restarts the silence; a whole limit without any kills the builder")
    func silence() async throws {
        let clock = ManualClock()
        let builder = try MonitoredBuilder(script: echoLines, withInput: true, clock: clock)
        defer { builder.remove() }
        let ending = builder.follow(BuilderMonitor(timeout: nil, maxSilentTime: .seconds(10), clock: clock))
        var lines = builder.lines.makeAsyncIterator()
        try await builder.expectTimer(at: .seconds(10))
        clock.advance(by: .seconds(6))
        try builder.send("hello")
        #expect(await lines.next() == "hello")
        // Ten seconds after the start, but only four after the output: the timer waits on.
        clock.advance(by: .seconds(4))
        try await builder.expectTimer(at: .seconds(16))
        clock.advance(by: .seconds(6))
        #expect(try await ending.value == .silent)
    }

    @Test("with both limits, a builder that keeps printing is stopped by the timeout")
    func bothLimits() async throws {
        let clock = ManualClock()
        let builder = try MonitoredBuilder(script: echoLines, withInput: true, clock: clock)
        defer { builder.remove() }
        let ending = builder.follow(BuilderMonitor(timeout: .seconds(15), maxSilentTime: .seconds(10), clock: clock))
        var lines = builder.lines.makeAsyncIterator()
        try await builder.expectTimer(at: .seconds(10))
        clock.advance(by: .seconds(8))
        try builder.send("tick")
        #expect(await lines.next() == "tick")
        clock.advance(by: .seconds(2))
        try await builder.expectTimer(at: .seconds(15))
        clock.advance(by: .seconds(5))
        #expect(try await ending.value == .timedOut)
    }

    @Test("a builder that ends within its limits reports its own status and leaves no timer", arguments: [true, false])
    func endsInTime(withLimits: Bool) async throws {
        let clock = ManualClock()
        let builder = try MonitoredBuilder(script: "echo one; echo two >&2; exit 3", clock: clock)
        defer { builder.remove() }
        let monitor = BuilderMonitor(
            timeout: withLimits ? .seconds(60) : nil, maxSilentTime: withLimits ? .seconds(30) : nil, clock: clock)
        #expect(try await builder.follow(monitor).value == .terminated(.exited(3)))
        #expect(builder.log.lastLines() == ["one", "two"])
        #expect(clock.sleepers.isEmpty)
    }

    /// Echoes each line of its input.
    private let echoLines = "while read line; do echo \"$line\"; done"
}

/// A busybox sh in a fresh sandbox, started and followed on a thread of its own (as a build is:
/// the sandbox dies with the thread that started it), its output going to a `BuildLogRecorder`
/// whose lines are streamed to the test, and optionally its input coming from the test. The log
/// is touched by the following thread until it returns, and by the test only after.
private final class MonitoredBuilder: @unchecked Sendable {
    let temporary: TemporaryDirectory
    let log: BuildLogRecorder
    let lines: AsyncStream<String>
    let clock: ManualClock
    private let linesContinuation: AsyncStream<String>.Continuation
    private let spec: SandboxSpec
    private let output: PipeEnds
    private let input: PipeEnds?
    private let process = Mutex<SandboxedProcess?>(nil)
    /// Kills the builder if it still runs after `Watchdog.defaultLimit` of real time (a limit that
    /// never fired).
    private let watchdog = Mutex<Task<Void, Never>?>(nil)

    init(script: String, withInput: Bool = false, clock: ManualClock) throws {
        self.clock = clock
        temporary = try TemporaryDirectory(prefix: "keel-monitor")
        let root = temporary.appending("root")
        try FileSystem.makeDirectories(root)
        (lines, linesContinuation) = AsyncStream<String>.makeStream()
        log = try BuildLogRecorder(path: temporary.appending("log"), keep: 10) { [linesContinuation] in
            linesContinuation.yield($0)
        }
        output = try PipeEnds()
        input = withInput ? try PipeEnds() : nil
        var spec = SandboxSpec(
            executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/bin"], root: root,
            mounts: [
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/sh"),
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/busybox"),
            ],
            outsideUser: ProcessControl.identity)
        spec.freshRoot = true
        spec.standardInput = input?.reading
        spec.standardOutput = output.writing
        spec.standardError = output.writing
        self.spec = spec
    }

    /// Starts the builder and runs `monitor.follow` on a thread of its own; when it returns, the
    /// lines end and so do waits for timers on the clock.
    func follow(_ monitor: BuilderMonitor) -> Task<BuilderMonitor.Ending, any Error> {
        watchdog.withLock { watchdog in
            watchdog = Watchdog.start {
                Issue.record("the builder still ran after \(Watchdog.defaultLimit) of real time: killed")
                try? self.process.withLock { $0 }?.kill()
            }
        }
        return Task {
            try await withCheckedThrowingContinuation { continuation in
                DetachedThread.start {
                    defer {
                        self.linesContinuation.finish()
                        self.clock.stopWaiting()
                    }
                    do {
                        let process = try Sandbox.spawn(self.spec)
                        FileSystem.close(FileDescriptor(rawValue: self.output.writing))
                        if let input = self.input { FileSystem.close(FileDescriptor(rawValue: input.reading)) }
                        self.process.withLock { $0 = process }
                        continuation.resume(
                            returning: try monitor.follow(process, output: self.output.reading, log: self.log))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// Waits until the monitor's timer sleeps until `offset` after the start; fails the test if
    /// the monitor returned first.
    func expectTimer(at offset: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let armed = await clock.waitForSleeper(until: .at(offset))
        try #require(
            armed, "the monitor ended before its timer was armed for \(offset)", sourceLocation: sourceLocation)
    }

    /// Writes a line to the builder's input.
    func send(_ line: String) throws {
        guard let input else { return }
        try Array((line + "\n").utf8).withUnsafeBytes { try SystemCall.writeAll(input.writing, $0) }
    }

    /// Stops the watchdog and the builder (if a test failed before it ended) and removes the files.
    func remove() {
        watchdog.withLock { $0?.cancel() }
        if let input { FileSystem.close(FileDescriptor(rawValue: input.writing)) }
        try? process.withLock { $0 }?.kill()
        temporary.remove()
    }
}
