import Foundation
import KeelLinux
import KeelSandbox
import KeelSupervisor
import KeelSystem
import KeelTesting
import Testing

/// What the cgroup, isolation and limits tests share.
enum CgroupTestSupport {
    /// This host's cgroups; a test that needs them fails, saying so, where there are none (the CI
    /// machine has cgroup v1).
    static func requireCgroups() throws -> CgroupSupport {
        let support = CgroupSupport.detect()
        if case .unavailable(let reason) = support.hierarchy {
            Issue.record("this test needs cgroups (memory, pids, freezer), and this machine has none: \(reason)")
            throw CancellationError()
        }
        return support
    }

    /// A name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Limits from the manifest's JSON form (its memberwise initialiser is not public).
    static func limits(memory: UInt64? = nil, pids: Int? = nil, openFiles: Int? = nil) throws -> SystemManifest.Limits {
        var object: [String: Any] = [:]
        if let memory { object["memory"] = memory }
        if let pids { object["pids"] = pids }
        if let openFiles { object["open_files"] = openFiles }
        return try JSONDecoder().decode(
            SystemManifest.Limits.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// A resolved agent definition, from the manifest's JSON form.
    static func agent(command: [String], env: [String: String], hostPaths: [String] = []) throws -> SystemManifest.Agent
    {
        let object: [String: Any] = [
            "command": command, "env": env, "packages": [], "references": [],
            "host_paths": Dictionary(uniqueKeysWithValues: hostPaths.map { ($0, "") }),
            "restart": ["policy": "never", "initial_backoff_ms": 100, "max_backoff_ms": 1000],
            "ready": "started", "ready_timeout_ms": 1000, "limits": [String: Any](), "isolation": "strict",
            "depends_on": [String](), "stop_timeout_ms": 1000, "state": "keep",
        ]
        return try JSONDecoder().decode(
            SystemManifest.Agent.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// Makes a fifo at `path`.
    static func makeFifo(_ path: String) throws {
        let result = try ProcessRunner.run("mkfifo", [path])
        try #require(result.status == 0, "\(result.errorOutput)")
    }

    /// Reads the fifo at `path` until every writer has closed it. A watchdog opens and closes it
    /// for writing after 30 s, so a script that broke before opening it fails the test instead
    /// of hanging it.
    static func readToEnd(_ path: String) async {
        let finished = DispatchSemaphore(value: 0)
        DetachedThread.start {
            guard finished.wait(timeout: .now() + 30) == .timedOut else { return }
            let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { close(fd) }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DetachedThread.start {
                _ = try? FileSystem.readWholeFile(path)
                finished.signal()
                continuation.resume()
            }
        }
    }

    /// The agent's log so far.
    static func logText(_ agent: AgentProcess) -> String {
        String(decoding: (try? FileSystem.readWholeFile(agent.log.directory + "/current")) ?? [], as: UTF8.self)
    }

    /// Waits until `event` has happened at least once (its continuation resumed), or fails after
    /// `seconds` (a watchdog, not a timing).
    static func waitFor(_ what: String, seconds: Int = 30, _ start: (@escaping @Sendable () -> Void) -> Void) async {
        let happened: Bool = await withCheckedContinuation { continuation in
            let once = Once(continuation)
            let watchdog = Watchdog.start(after: .seconds(seconds)) { once.resume(false) }
            start {
                watchdog.cancel()
                once.resume(true)
            }
        }
        #expect(happened, "\(what) did not happen within \(seconds) s")
    }

    /// Resumes a continuation once.
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Bool, Never>?
        init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }
        func resume(_ value: Bool) {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume(returning: value)
        }
    }
}

/// A temporary store with a static busybox in it (the closure of a strict test agent), a
/// store path outside that closure, and agents' state and runtime directories.
struct StrictTestHost {
    let directory: TemporaryDirectory
    let busybox: String
    let secretStorePath: String
    let emptyRoot: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "keel-strict")
        busybox = directory.appending("store/aaaa-busybox")
        secretStorePath = directory.appending("store/bbbb-secret")
        emptyRoot = directory.appending("empty-root")
        try FileManager.default.createDirectory(atPath: busybox + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: secretStorePath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: busybox + "/bin/busybox")
        for applet in ["sh", "cat", "echo", "id", "hostname", "sleep", "head", "tr", "ls", "stat"] {
            try FileManager.default.createSymbolicLink(
                atPath: busybox + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try TestFiles.write(secretStorePath + "/file", Array("store secret\n".utf8))
    }

    func stateDirectory(_ agent: String) -> String { directory.appending("root/state/" + agent) }
    func runtimeDirectory(_ agent: String) -> String { directory.appending("root/run/agents/" + agent) }

    /// Starts `script` (busybox sh) as strict agent `name` with `setup`.
    func start(
        _ name: String, script: String, environment: [String: String] = [:], setup: ProcessSetup,
        onExit: @escaping @Sendable (Termination) -> Void = { _ in }
    ) throws -> AgentProcess {
        let state = stateDirectory(name)
        let runtime = runtimeDirectory(name)
        try StrictIsolation.prepareDirectories(
            agent: name, stateDirectory: state, runtimeDirectory: runtime, emptyRoot: emptyRoot)
        let arguments = [busybox + "/bin/sh", "-c", script]
        var env = environment
        env["PATH"] = busybox + "/bin"
        env["STATE"] = state
        let definition = try CgroupTestSupport.agent(command: arguments, env: env)
        let spec = StrictIsolation.sandboxSpec(
            agent: name, definition: definition, closure: [busybox], stateDirectory: state, runtimeDirectory: runtime,
            emptyRoot: emptyRoot)
        let log = try AgentLog(directory: directory.appending("logs/" + name), maxSize: 1 << 20, keep: 1)
        return try AgentProcess.start(
            name: name, arguments: arguments, environment: env, workingDirectory: state, log: log,
            launch: .sandbox(spec, setup), onExit: onExit)
    }
}
