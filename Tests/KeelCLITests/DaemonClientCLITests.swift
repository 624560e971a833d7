import Foundation
import KeelLinux
import KeelTesting
import Testing

@Suite("keel status without a daemon, and keel logs reading log directories", .timeLimit(.minutes(5)), .ownThreads)
struct DaemonClientCLITests {
    @Test("keel status and keel events with no daemon say so and exit 1")
    func noDaemon() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        for command in [["status"], ["status", "--json"], ["events", "-f"], ["restart", "web"]] {
            let result = try KeelBinary.run(command + ["--root", temporary.path])
            #expect(result.status == 1, "\(command)")
            #expect(result.errorOutput == "keel: no keel daemon is running (start one with `keel daemon`)\n")
            #expect(result.output.isEmpty)
        }
    }

    @Test("keel logs prints the last -n lines, reaching into rotated files, without a daemon")
    func rotatedLogs() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let logs = temporary.appending("logs/web")
        try FileSystem.makeDirectories(logs)
        try write(logs + "/current.1", "1\n2\n")
        try write(logs + "/current.2", "3\n4\n")
        try write(logs + "/current", "5\n6\n")
        let four = try KeelBinary.run(["logs", "web", "-n", "4", "--root", temporary.path])
        #expect(four.status == 0, "\(four.errorOutput)")
        #expect(four.output == "3\n4\n5\n6\n")
        let all = try KeelBinary.run(["logs", "web", "--root", temporary.path])
        #expect(all.output == "1\n2\n3\n4\n5\n6\n")
        let missing = try KeelBinary.run(["logs", "db", "--root", temporary.path])
        #expect(missing.status == 1)
        #expect(missing.errorOutput == "keel: no logs for agent 'db': \(temporary.path)/logs/db does not exist\n")
        let invalid = try KeelBinary.run(["logs", "../web", "--root", temporary.path])
        #expect(invalid.status == 1)
        #expect(invalid.errorOutput.hasPrefix("keel: invalid agent name '../web'"))
    }

    @Test("keel logs -f prints appended lines as they are written, and follows a rotation")
    func follow() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let logs = temporary.appending("logs/web")
        try FileSystem.makeDirectories(logs)
        try write(logs + "/current", "old line\nlast line\n")
        let follower = try OutputProcess(KeelBinary.path, ["logs", "web", "-f", "-n", "1", "--root", temporary.path])
        defer { follower.stop() }
        #expect(follower.waitForOutput(containing: "last line\n"))
        try append(logs + "/current", "appended line\n")
        #expect(follower.waitForOutput(containing: "appended line\n"), "\(follower.outputSoFar)")
        try append(logs + "/current", "before rotation\n")
        try FileManager.default.moveItem(atPath: logs + "/current", toPath: logs + "/current.1")
        // As AgentLog does: a new current is created, then written to.
        #expect(FileManager.default.createFile(atPath: logs + "/current", contents: nil))
        try append(logs + "/current", "after rotation\n")
        #expect(follower.waitForOutput(containing: "after rotation\n"), "\(follower.outputSoFar)")
        #expect(follower.outputSoFar == "last line\nappended line\nbefore rotation\nafter rotation\n")
    }

    private func write(_ path: String, _ text: String) throws {
        try FileSystem.replaceFile(atPath: path, with: Array(text.utf8))
    }

    private func append(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
