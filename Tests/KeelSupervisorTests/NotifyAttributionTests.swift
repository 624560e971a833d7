import Foundation
import Glibc
import KeelSupervisor
import KeelTesting
import Testing

@Suite("NotifyAttribution", .ownThreads)
struct NotifyAttributionTests {
    @Test("the parent pid is the field after the last ')', whatever the command name holds")
    func statLine() {
        let line = "4321 (odd) name) (x) S 1234 4321 4321 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0\n"
        #expect(NotifyAttribution.parentPID(statLine: Array(line.utf8)) == 1234)
        #expect(NotifyAttribution.parentPID(statLine: Array("4321 no parens S 1".utf8)) == nil)
        #expect(NotifyAttribution.parentPID(statLine: Array("4321 (cut)".utf8)) == nil)
    }

    @Test("a process belongs to its own tree and its ancestors' trees, not to its children's")
    func liveProcesses() {
        #expect(NotifyAttribution.parentPID(of: getpid()) == getppid())
        #expect(NotifyAttribution.belongsToTree(senderPID: getpid(), agentPID: getpid()))
        #expect(NotifyAttribution.belongsToTree(senderPID: getpid(), agentPID: getppid()))
        #expect(NotifyAttribution.belongsToTree(senderPID: getpid(), agentPID: 1))
        #expect(!NotifyAttribution.belongsToTree(senderPID: getppid(), agentPID: getpid()))
        #expect(!NotifyAttribution.belongsToTree(senderPID: 0, agentPID: getpid()))
        #expect(!NotifyAttribution.belongsToTree(senderPID: getpid(), agentPID: 0))
    }

    @Test("a chain is followed through a fake procfs and stops where it breaks")
    func fakeProc() throws {
        let proc = try TemporaryDirectory(prefix: "keel-notify-proc")
        defer { proc.remove() }
        func process(_ pid: Int, parent: Int) throws {
            try FileManager.default.createDirectory(atPath: proc.appending("\(pid)"), withIntermediateDirectories: true)
            try TestFiles.write(proc.appending("\(pid)/stat"), Array("\(pid) (agent worker) S \(parent) 1 1 0\n".utf8))
        }
        try process(300, parent: 200)
        try process(200, parent: 100)
        try process(100, parent: 1)
        try process(500, parent: 400)  // 400 has exited: the chain is broken
        #expect(NotifyAttribution.belongsToTree(senderPID: 300, agentPID: 100, proc: proc.path))
        #expect(NotifyAttribution.belongsToTree(senderPID: 300, agentPID: 200, proc: proc.path))
        #expect(!NotifyAttribution.belongsToTree(senderPID: 100, agentPID: 300, proc: proc.path))
        #expect(!NotifyAttribution.belongsToTree(senderPID: 500, agentPID: 100, proc: proc.path))
    }
}
