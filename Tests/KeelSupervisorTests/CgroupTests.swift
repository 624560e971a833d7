import Foundation
import KeelLinux
import KeelSandbox
import KeelSupervisor
import KeelTesting
import Testing

@Suite(.ownThreads) struct CgroupTests {
    /// A host agent whose children ignore SIGTERM and whose grandchildren start sessions of their
    /// own and outlive their parents: the cgroup still holds them all, and `killAll` ends them.
    @Test func killAllEndsATreeThatLeftItsSessionThenTheGroupIsRemoved() async throws {
        let support = try CgroupTestSupport.requireCgroups()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let name = CgroupTestSupport.uniqueName("kill")
        let cgroup = try AgentCgroup.create(agent: name, support: support)
        try cgroup.apply(try CgroupTestSupport.limits())
        // Every process closes the fifo only once its own children are started, so its end of
        // file means the whole tree is there.
        let fifo = directory.appending("fifo")
        try CgroupTestSupport.makeFifo(fifo)
        let script = #"""
            exec 3>"$0"
            trap '' TERM
            sleep 1000 3>&- &
            ( setsid sh -c 'trap "" TERM; sleep 1000 3>&- & exec sleep 1000 3>&-' & )
            ( setsid sh -c 'trap "" TERM; exec sleep 1000 3>&-' & )
            exec sleep 1000 3>&-
            """#
        let log = try AgentLog(directory: directory.appending("log"), maxSize: 1 << 20, keep: 1)
        let agent = try AgentProcess.start(
            name: name, arguments: ["/bin/sh", "-c", script, fifo], environment: ["PATH": "/usr/bin:/bin"],
            workingDirectory: directory.appending("work"), log: log,
            launch: .host(.agent(limits: try CgroupTestSupport.limits(), cgroup: cgroup)))
        await CgroupTestSupport.readToEnd(fifo)
        // The agent, a sleep, and two sessions with three processes between them.
        #expect(try cgroup.processes().count == 5)
        let members = try cgroup.processes().compactMap { ProcessTree.entry(of: $0) }
        #expect(Set(members.map(\.session)).count == 3, "\(members)")
        try cgroup.killAll()
        #expect(try cgroup.processes().isEmpty)
        #expect(try !cgroup.isPopulated())
        for member in members {
            let now = ProcessTree.entry(of: member.pid)
            #expect(now == nil || now?.startTime != member.startTime || now?.isZombie == true, "\(member)")
        }
        #expect(await agent.waitForExit() == .signaled(SIGKILL))
        try await agent.stop(timeout: .zero)  // reaps what was reparented here
        try cgroup.remove()
        for directory in cgroup.directories.values { #expect(!FileManager.default.fileExists(atPath: directory)) }
        try cgroup.remove()  // already gone: fine
    }

    @Test func refusesNamesThatAreNotAgents() throws {
        let support = try CgroupTestSupport.requireCgroups()
        for name in ["", ".", "..", ".hidden", "a/b", "../x", "with space"] {
            #expect(throws: SupervisorError.self) { try AgentCgroup.create(agent: name, support: support) }
        }
    }
}
