import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelSupervisor

/// The pid file records each start with one write of a line of fixed length over the last, to a
/// file kept open, and a later daemon finds the process it names only while it still runs.
@Suite(.ownThreads) struct AgentPidFileTests {
    private func bytes(_ path: String) -> [UInt8]? { try? FileSystem.readWholeFile(path) }

    @Test func eachStartReplacesTheWholeLineAndNamesThatProcessWhileItRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        let pidFile = AgentPidFile(path: path)
        let ownStart = try #require(ProcessTree.entry(of: getpid())).startTime
        pidFile.record(pid: getpid())
        #expect(bytes(path)?.count == AgentPidFile.lineLength)
        #expect(AgentPidFile.live(at: path) == AgentPidFile.Entry(pid: getpid(), startTime: ownStart))

        // A second start: a child blocked on a pipe this test holds.
        let input = Pipe()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/cat")
        child.standardInput = input
        try child.run()
        let childStart = try #require(ProcessTree.entry(of: child.processIdentifier)).startTime
        pidFile.record(pid: child.processIdentifier)
        #expect(bytes(path)?.count == AgentPidFile.lineLength)
        #expect(
            AgentPidFile.live(at: path) == AgentPidFile.Entry(pid: child.processIdentifier, startTime: childStart))

        try input.fileHandleForWriting.close()
        child.waitUntilExit()
        #expect(AgentPidFile.live(at: path) == nil)
    }

    @Test func aLongerLineLeftBeforeIsOverwrittenWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        try Data("4194304 18446744073709551615\n".utf8).write(to: URL(fileURLWithPath: path))
        AgentPidFile(path: path).record(pid: getpid())
        let text = String(decoding: try #require(bytes(path)), as: UTF8.self)
        #expect(text.split(separator: " ", omittingEmptySubsequences: true).first == "\(getpid())")
        #expect(AgentPidFile.live(at: path)?.pid == getpid())
    }

    @Test func aFileRemovedMeanwhileIsCreatedAgainAndRemoveDeletesIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        let pidFile = AgentPidFile(path: path)
        pidFile.record(pid: getpid())
        try FileManager.default.removeItem(atPath: path)
        pidFile.record(pid: getpid())
        #expect(AgentPidFile.live(at: path)?.pid == getpid())
        pidFile.remove()
        #expect(bytes(path) == nil)
        pidFile.remove()
        #expect(bytes(path) == nil)
    }

    /// A strict agent can create entries in its runtime directory: a fifo put where the pid file
    /// goes must neither block the daemon writing it nor the next one reading it.
    @Test func aFifoAtThePathBlocksNeitherWritingNorReading() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        #expect(mkfifo(path, 0o666) == 0)
        #expect(AgentPidFile.live(at: path) == nil)
        let pidFile = AgentPidFile(path: path)
        pidFile.record(pid: getpid())
        #expect(try FileSystem.status(of: Array(path.utf8)).kind == .regular)
        #expect(AgentPidFile.live(at: path)?.pid == getpid())
    }

    /// Only what is provably the daemon's goes: the file it holds, or, held by none, a regular
    /// file of its user; a file put in place of the held one, or a fifo, stays.
    @Test func removeDeletesOnlyTheDaemonsOwnFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        let pidFile = AgentPidFile(path: path)
        pidFile.record(pid: getpid())
        let other = directory.appending("other")
        try Data("someone else's\n".utf8).write(to: URL(fileURLWithPath: other))
        #expect(rename(other, path) == 0)
        pidFile.remove()
        #expect(bytes(path) == Array("someone else's\n".utf8))

        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o666) == 0)
        AgentPidFile(path: path).remove()
        #expect(try FileSystem.status(of: Array(path.utf8)).kind == .special)
    }
}
