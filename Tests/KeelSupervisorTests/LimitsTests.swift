import Foundation
import KeelLinux
import KeelSandbox
import KeelSupervisor
import KeelTesting
import Synchronization
import Testing

@Suite(.ownThreads) struct LimitsTests {
    /// A strict agent that allocates past its memory limit is killed by the kernel, and the
    /// OOM watch reports it.
    @Test func theMemoryLimitHoldsAndItsOOMIsReported() async throws {
        let support = try CgroupTestSupport.requireCgroups()
        let host = try StrictTestHost()
        defer { host.directory.remove() }
        let name = CgroupTestSupport.uniqueName("memory")
        let cgroup = try AgentCgroup.create(agent: name, support: support)
        defer { try? cgroup.remove() }
        let limits = try CgroupTestSupport.limits(memory: 32 << 20)
        try cgroup.apply(limits)
        #expect(cgroup.enforcesMemory)
        let reports = Mutex<[UInt64]>([])
        let notified = Mutex<(@Sendable () -> Void)?>(nil)
        let watch = try AgentOOMWatch.start(cgroup) { count in
            reports.withLock { $0.append(count) }
            notified.withLock { $0 }?()
        }
        defer { watch.stop() }
        let agent = try host.start(
            name, script: #"x=$(head -c 200000000 /dev/zero | tr '\000' a); echo survived ${#x}"#,
            setup: .agent(limits: limits, cgroup: cgroup))
        #expect(await agent.waitForExit() == .signaled(SIGKILL))
        await CgroupTestSupport.waitFor("the OOM notification") { done in
            notified.withLock { $0 = done }
            if !reports.withLock({ $0.isEmpty }) { done() }
        }
        #expect(reports.withLock { $0.first ?? 0 } >= 1)
        #expect(try cgroup.oomKillCount() >= 1)
        await agent.waitForOutputEnd()
        #expect(!CgroupTestSupport.logText(agent).contains("survived"))
        try cgroup.killAll()
    }

    /// A strict agent cannot fork past its pids limit.
    @Test func thePidsLimitHolds() async throws {
        let support = try CgroupTestSupport.requireCgroups()
        let host = try StrictTestHost()
        defer { host.directory.remove() }
        let name = CgroupTestSupport.uniqueName("pids")
        let cgroup = try AgentCgroup.create(agent: name, support: support)
        defer { try? cgroup.remove() }
        let limits = try CgroupTestSupport.limits(pids: 4, openFiles: 64)
        try cgroup.apply(limits)
        let script = #"""
            echo "files: $(cat /proc/self/limits | while read -r a b c d e; do [ "$a $b $c" = "Max open files" ] && echo $d; done)"
            for i in 1 2 3 4 5 6 7 8; do sleep 1000 & done
            echo done
            """#
        let agent = try host.start(name, script: script, setup: .agent(limits: limits, cgroup: cgroup))
        _ = await agent.waitForExit()
        await agent.waitForOutputEnd()
        let log = CgroupTestSupport.logText(agent)
        #expect(log.contains("fork"), "\(log)")
        #expect(log.contains("files: 64\n"), "\(log)")
        try cgroup.killAll()
        #expect(try cgroup.processes().isEmpty)
    }
}

@Suite(.ownThreads) struct MemoryLimitCheckTests {
    /// Without a memory cgroup, the resident size of the agent's tree is what a limit is held to.
    @Test func measuresTheResidentSizeOfTheAgentsTree() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.appending("log"), maxSize: 1 << 20, keep: 1)
        let agent = try AgentProcess.start(
            name: "rss", arguments: ["/bin/sh", "-c", "sleep 1000 & exec sleep 1000"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: directory.appending("work"), log: log)
        let resident = try MemoryLimitCheck.residentBytes(of: agent)
        #expect(resident > 0)
        #expect(try MemoryLimitCheck.breach(of: 1, by: agent) != nil)
        #expect(try MemoryLimitCheck.breach(of: UInt64.max, by: agent) == nil)
        try await agent.stop(timeout: .zero)
    }
}
