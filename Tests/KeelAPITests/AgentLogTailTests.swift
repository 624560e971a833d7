import KeelAPI
import KeelLinux
import KeelTesting
import Testing

@Suite("AgentLogTail reads the last lines of a log directory, across rotations, bounded", .ownThreads)
struct AgentLogTailTests {
    private func tail(_ files: [String: String], count: Int, byteLimit: Int = 1 << 20) throws -> String {
        let directory = try TemporaryDirectory(prefix: "keel-tail")
        defer { directory.remove() }
        for (name, text) in files {
            try FileSystem.replaceFile(atPath: directory.appending(name), with: Array(text.utf8))
        }
        let bytes = try AgentLogTail.lastLines(in: directory.path, count: count, byteLimit: byteLimit)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("the last lines of current; a partial last line gets a newline")
    func current() throws {
        #expect(try tail(["current": "a\nb\nc\n"], count: 2) == "b\nc\n")
        #expect(try tail(["current": "a\nb\nc"], count: 2) == "b\nc\n")
        #expect(try tail(["current": "a\nb\n"], count: 5) == "a\nb\n")
        #expect(try tail(["current": ""], count: 5) == "")
        #expect(try tail(["current": "\n\n"], count: 1) == "\n")
    }

    @Test("older lines come from the rotated files, newest (highest N) first; other names are ignored")
    func rotated() throws {
        let files = [
            "current.1": "one\ntwo\n", "current.2": "three\nfour\n", "current": "five\n", "current.01": "no\n",
            "current.x": "no\n",
        ]
        #expect(try tail(files, count: 3) == "three\nfour\nfive\n")
        #expect(try tail(files, count: 100) == "one\ntwo\nthree\nfour\nfive\n")
        #expect(try tail(["current.3": "old\n"], count: 2) == "old\n", "current may be missing after a rotation")
    }

    @Test("at most byteLimit bytes are read: a line cut by the limit is left out")
    func bounded() throws {
        #expect(try tail(["current": "aaaa\nbb\ncc\n"], count: 10, byteLimit: 7) == "bb\ncc\n")
        #expect(try tail(["current.1": "old\n", "current": "xx\nyy\n"], count: 10, byteLimit: 6) == "xx\nyy\n")
    }

    @Test("a missing directory is ENOENT naming it")
    func missing() throws {
        let error = #expect(throws: SystemError.self) {
            try AgentLogTail.lastLines(in: "/nonexistent-keel-logs/web", count: 1)
        }
        #expect(error?.errno == 2 && error?.path == "/nonexistent-keel-logs/web")
    }
}
