import Foundation
import KeelTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("keel demo", .timeLimit(.minutes(5)), .ownThreads)
struct DemoCLITests {
    @Test("keel demo runs to its end: it tells the rollback and its reason, the ledger verifies, nothing is left")
    func fullRun() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let demo = try DemoRun(temporaryDirectory: temporary.path)
        // The demo takes a while (the first time, web's runtime is downloaded): the wait holds a
        // thread of its own, not one of the cooperative pool's.
        let status = try await Blocking.run { demo.waitForExit() }
        let output = demo.outputSoFar
        #expect(status == 0, "\(output)\n\(demo.errorOutput)")
        #expect(output.contains("SafeSwitch: generation 2 failed: agent web crash-looped"), "\(output)")
        #expect(output.contains("SafeSwitch rolled back from generation 2 to generation 1"), "\(output)")
        #expect(output.contains("from `keel switch` to the previous generation's web passing its health check"))
        #expect(output.contains("$ keel ledger verify --root "))
        #expect(output.contains("  ledger intact: "), "\(output)")
        #expect(output.contains("\tsafeswitch.failed\tgeneration-2\t"), "\(output)")
        #expect(output.contains("\tsafeswitch.rolled-back\tgeneration-2\t"), "\(output)")
        #expect(output.contains("\tsystem.rollback\tgeneration-1\t"), "\(output)")
        #expect(!output.contains("\u{1B}"), "no terminal codes through a pipe")
        #expect(demo.errorOutput.isEmpty, "\(demo.errorOutput)")
        #expect(Self.processes(mentioning: temporary.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    @Test("Ctrl-C during the demo stops its daemon and agents, removes its directory and exits 130")
    func interrupted() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let demo = try DemoRun(temporaryDirectory: temporary.path)
        // Counted and interrupted on the thread that saw the line: the demo goes on by itself, and a
        // hop back to a busy test pool once let it finish first.
        let (running, processes) = try await Blocking.run {
            let running = demo.waitForOutput(containing: "worker is ready")
            let processes = Self.processes(mentioning: temporary.path).count
            demo.interrupt()
            return (running, processes)
        }
        #expect(running, "\(demo.outputSoFar)\n\(demo.errorOutput)")
        if running { #expect(processes >= 3, "the daemon, web and worker run") }
        let status = try await Blocking.run { demo.waitForExit() }
        #expect(status == 130, "\(demo.outputSoFar)\n\(demo.errorOutput)")
        #expect(demo.errorOutput.contains("keel: demo interrupted; stopping its daemon"), "\(demo.errorOutput)")
        #expect(Self.processes(mentioning: temporary.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    /// The pids of the processes whose command line mentions `path` (the demo's daemon and
    /// agents run from and for a root under it).
    static func processes(mentioning path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let bytes = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            return String(decoding: bytes, as: UTF8.self).contains(path) ? pid : nil
        }
    }
}

/// `keel demo` with its temporary directory under `temporaryDirectory`, stdout read as it
/// comes; a watchdog kills it if it outlives `watchdogSeconds`.
private final class DemoRun: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let condition = NSCondition()
    private var received: [UInt8] = []
    private var outputEnded = false
    private let exited = DispatchSemaphore(value: 0)
    private let errorsRead = DispatchSemaphore(value: 0)
    private var errorBytes = Data()
    private static let watchdogSeconds = 180

    init(temporaryDirectory: String) throws {
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = ["demo"]
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporaryDirectory
        // The .debs of web's runtime are cached outside the demo's directory (which must end
        // empty), in one directory for this test process.
        environment["KEEL_CACHE_DIR"] = NSTemporaryDirectory() + "keel-demo-test-cache-\(getpid())"
        process.environment = environment
        process.standardOutput = output
        process.standardError = errors
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = output.fileHandleForReading.availableData
                condition.withLock {
                    if chunk.isEmpty { outputEnded = true } else { received += chunk }
                    condition.broadcast()
                }
                if chunk.isEmpty { return }
            }
        }
        Thread.detachNewThread { [self] in
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            condition.withLock { errorBytes = data }
            errorsRead.signal()
        }
    }

    /// Everything read from stdout so far.
    var outputSoFar: String { condition.withLock { String(decoding: received, as: UTF8.self) } }

    /// stderr, once the demo has ended.
    var errorOutput: String { condition.withLock { String(decoding: errorBytes, as: UTF8.self) } }

    /// Waits until stdout holds `text` (true), or ends, or the watchdog's time passes (false).
    func waitForOutput(containing text: String) -> Bool {
        let deadline = Date().addingTimeInterval(TimeInterval(Self.watchdogSeconds))
        condition.lock()
        defer { condition.unlock() }
        while !String(decoding: received, as: UTF8.self).contains(text) {
            if outputEnded || !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// SIGINT, as Ctrl-C at a terminal sends.
    func interrupt() {
        kill(process.processIdentifier, SIGINT)
    }

    /// Waits for the demo to end (SIGKILL after the watchdog's time) and returns its exit status
    /// (128 + the signal when one ended it).
    func waitForExit() -> Int32 {
        if exited.wait(timeout: .now() + .seconds(Self.watchdogSeconds)) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        errorsRead.wait()
        condition.withLock { while !outputEnded { condition.wait() } }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }
}
