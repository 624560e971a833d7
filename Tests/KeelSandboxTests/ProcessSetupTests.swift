import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelSandbox

/// A process joins its cgroups, gets its limits and loses new privileges before it runs, on
/// the host and in a sandbox alike.
@Suite(.ownThreads) struct ProcessSetupTests {
    /// A fresh group under `keel/` in the first cgroup hierarchy with pids, memory or cpu;
    /// fails, saying so, where the machine has none.
    private func makeGroup() throws -> String {
        let support = CgroupSupport.detect()
        let base: String
        switch support.hierarchy {
        case .v2(let v2Base, _): base = v2Base
        case .v1(let bases):
            base = try #require(bases[.pids] ?? bases[.memory] ?? bases[.cpu], "no pids, memory or cpu hierarchy")
        case .unavailable(let reason):
            Issue.record("this test needs cgroups, and this machine has none: \(reason)")
            throw CancellationError()
        }
        try CgroupFiles.makeGroup(base + "/keel")
        let group = base + "/keel/setup-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try CgroupFiles.makeGroup(group)
        return group
    }

    /// Removes the group, and `keel` too when nothing else is in it.
    private func removeGroup(_ group: String) {
        _ = try? CgroupFiles.removeGroup(group)
        if let keel = group.range(of: "/keel/", options: .backwards).map({ String(group[..<$0.lowerBound]) + "/keel" })
        {
            _ = try? CgroupFiles.removeGroup(keel)
        }
    }

    private static let script = "grep -E '^NoNewPrivs' /proc/self/status; ulimit -n; cat /proc/self/cgroup"

    private func output(of process: SandboxedProcess, _ pipe: Pipe) throws -> (Termination, String) {
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (try process.wait(), text)
    }

    /// libdispatch gives its QoS threads nice values of their own (-2 for user-initiated): a
    /// process started from such a thread must not inherit it.
    @Test func aHostProcessTakesTheProcesssNiceValueNotItsSpawningThreads() async throws {
        let processNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(getpid()))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pipe = Pipe()
        let started: Result<SandboxedProcess, any Error> = await withCheckedContinuation { continuation in
            DetachedThread.start {
                // This thread only: a higher nice value, which needs no privilege.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, processNice + 3)
                continuation.resume(
                    returning: Result {
                        try Sandbox.spawnOnHost(
                            executable: "/bin/cat", arguments: ["/proc/self/stat"], environment: [:],
                            workingDirectory: directory.path, standardOutput: pipe.fileHandleForWriting.fileDescriptor)
                    })
            }
        }
        let (termination, text) = try output(of: try started.get(), pipe)
        #expect(termination == .exited(0))
        // Fields after the command's closing parenthesis: state is 3rd, nice is 19th.
        let fields = text.split(separator: ")").last.map { $0.split(separator: " ") } ?? []
        #expect(fields.count > 17 && fields[16] == "\(processNice)", "\(text)")
    }

    /// The spawning thread is SCHED_BATCH while the child execs (so that it does not preempt
    /// it when woken): the child runs in the normal class all the same, and so does the thread
    /// afterwards. (What the batch window buys, the child's CPU, shows in bench/supervisor.sh,
    /// not here.)
    @Test func aHostProcessRunsInTheNormalSchedulingClassAsDoesItsSpawningThreadAfterwards() throws {
        try #require(sched_getscheduler(0) == SCHED_OTHER, "this test runs on a thread of the normal class")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pipe = Pipe()
        let process = try Sandbox.spawnOnHost(
            executable: "/bin/cat", arguments: ["/proc/self/stat"], environment: [:],
            workingDirectory: directory.path, standardOutput: pipe.fileHandleForWriting.fileDescriptor)
        #expect(!ThreadScheduling.yieldsOnWakeUp)
        let (termination, text) = try output(of: process, pipe)
        #expect(termination == .exited(0))
        // Fields after the command's closing parenthesis: state is 3rd, policy is 41st (0 is
        // SCHED_OTHER, 3 SCHED_BATCH).
        let fields = text.split(separator: ")").last.map { $0.split(separator: " ") } ?? []
        #expect(fields.count > 38 && fields[38] == "0", "\(text)")
    }

    @Test func aHostProcessStartsInsideItsCgroupWithItsLimits() throws {
        let group = try makeGroup()
        defer { removeGroup(group) }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pipe = Pipe()
        let setup = ProcessSetup(
            cgroupProcsFiles: [group + "/cgroup.procs"], resourceLimits: [.init(.openFiles, 77)], noNewPrivileges: true)
        let process = try Sandbox.spawnOnHost(
            executable: "/bin/sh", arguments: ["-c", Self.script], environment: ["PATH": "/usr/bin:/bin"],
            workingDirectory: directory.path, standardOutput: pipe.fileHandleForWriting.fileDescriptor, setup: setup)
        let (termination, text) = try output(of: process, pipe)
        #expect(termination == .exited(0))
        #expect(text.contains("NoNewPrivs:\t1\n77\n"), "\(text)")
        let relative = try #require(group.split(separator: "/").last.map(String.init))
        #expect(text.contains("/keel/\(relative)\n"), "\(text)")
    }

    @Test func aSandboxedProcessStartsInsideItsCgroupWithItsLimits() throws {
        let group = try makeGroup()
        defer { removeGroup(group) }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pipe = Pipe()
        var spec = SandboxSpec(
            executable: "/bin/sh",
            arguments: ["-c", "busybox " + Self.script.replacingOccurrences(of: "cat", with: "busybox cat")],
            environment: ["PATH": "/bin"], root: directory.path,
            mounts: [
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/sh"),
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/busybox"),
            ], outsideUser: ProcessControl.identity)
        spec.freshRoot = true
        spec.standardOutput = pipe.fileHandleForWriting.fileDescriptor
        let setup = ProcessSetup(cgroupProcsFiles: [group + "/cgroup.procs"], resourceLimits: [.init(.openFiles, 55)])
        let process = try Sandbox.spawn(spec, setup: setup)
        let (termination, text) = try output(of: process, pipe)
        #expect(termination == .exited(0))
        #expect(text.contains("NoNewPrivs:\t1\n55\n"), "\(text)")
        let relative = try #require(group.split(separator: "/").last.map(String.init))
        #expect(text.contains("/keel/\(relative)\n"), "\(text)")
    }

    @Test func aCgroupThatCannotBeJoinedIsNamedInTheError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.appending("no-such-group/cgroup.procs")
        #expect {
            _ = try Sandbox.spawnOnHost(
                executable: "/bin/true", workingDirectory: directory.path,
                setup: ProcessSetup(cgroupProcsFiles: [missing]))
        } throws: { error in
            (error as? SandboxError)?.step == "joining the cgroup \(missing)"
        }
    }
}
