import Foundation
import KeelLinux
import KeelSandbox
import KeelSupervisor
import KeelTesting
import Testing

@Suite(.ownThreads) struct IsolationTests {
    /// A strict agent sees its closure, its own state and nothing else of the host: not another
    /// agent's state, not a store path outside its closure, not /etc/shadow, no other process.
    @Test func aStrictAgentSeesOnlyItsOwnView() async throws {
        let support = try CgroupTestSupport.requireCgroups()
        let host = try StrictTestHost()
        defer { host.directory.remove() }
        let name = CgroupTestSupport.uniqueName("strict")
        let other = host.stateDirectory("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try TestFiles.write(other + "/secret", Array("other's secret\n".utf8))
        let cgroup = try AgentCgroup.create(agent: name, support: support)
        defer { try? cgroup.remove() }
        let script = #"""
            cat /etc/shadow && echo READ-SHADOW
            cat "$OTHER/secret" && echo READ-OTHER-STATE
            cat "$SECRET/file" && echo READ-OUTSIDE-CLOSURE
            echo mine > "$STATE/written" && echo WROTE-STATE
            echo "procs:" /proc/[0-9]*
            echo "id: $(id -u):$(id -g) host: $(hostname)"
            echo mine > "$BUSYBOX/new" || echo CLOSURE-READ-ONLY
            """#
        let agent = try host.start(
            name, script: script,
            environment: ["OTHER": other, "SECRET": host.secretStorePath, "BUSYBOX": host.busybox],
            setup: .agent(limits: try CgroupTestSupport.limits(), cgroup: cgroup, noNewPrivileges: true))
        #expect(await agent.waitForExit() == .exited(0))
        await agent.waitForOutputEnd()
        let log = CgroupTestSupport.logText(agent)
        for marker in ["READ-SHADOW", "READ-OTHER-STATE", "READ-OUTSIDE-CLOSURE", "other's secret", "store secret"] {
            #expect(!log.contains(marker), "\(log)")
        }
        #expect(log.contains("WROTE-STATE\n"), "\(log)")
        #expect(log.contains("procs: /proc/1\n"), "\(log)")
        #expect(log.contains("id: 0:0 host: \(name)\n"), "\(log)")
        #expect(log.contains("CLOSURE-READ-ONLY\n"), "\(log)")
        // Root inside is nobody outside.
        let written = try FileSystem.status(of: Array((host.stateDirectory(name) + "/written").utf8))
        #expect(written.uid == StrictIsolation.defaultIdentity.uid)
        try cgroup.killAll()
    }

    @Test func theSpecBindsTheClosureAndHostPathsReadOnlyAndTheAgentsDirectoriesReadWrite() throws {
        let definition = try CgroupTestSupport.agent(
            command: ["/store/a-tool/bin/tool", "--serve"], env: ["PATH": "/store/a-tool/bin"],
            hostPaths: ["/srv/data"])
        let spec = StrictIsolation.sandboxSpec(
            agent: "web", definition: definition, closure: ["/store/b-lib", "/store/a-tool", "/store/a-tool"],
            stateDirectory: "/keel/state/web", runtimeDirectory: "/keel/run/agents/web", emptyRoot: "/keel/run/empty")
        #expect(
            spec.mounts == [
                .init(source: "/store/a-tool", target: "/store/a-tool"),
                .init(source: "/store/b-lib", target: "/store/b-lib"),
                .init(source: "/srv/data", target: "/srv/data"),
                .init(source: "/keel/state/web", target: "/keel/state/web", readOnly: false),
                .init(source: "/keel/run/agents/web", target: "/keel/run/agents/web", readOnly: false),
            ])
        #expect(spec.freshRoot && !spec.killedWithSpawningThread)
        #expect(spec.network == .host && spec.hostname == "web" && spec.workingDirectory == "/keel/state/web")
        #expect(spec.insideUser == (0, 0) && spec.outsideUser == StrictIsolation.defaultIdentity)
        #expect(spec.files.map(\.path).contains("/etc/passwd"))
    }
}
