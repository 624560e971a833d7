import Foundation
import KeelTesting
import Testing

/// A broken keel.toml through the real `keel` binary: every problem on stderr as
/// `FILE:LINE:COL: message` with the file as the user named it, exit status 1, and nothing
/// written under the state root.
@Suite("keel.toml problems on the command line", .ownThreads)
struct ConfigCLITests {
    static let broken = """
        [host]
        name = "box"
        log_files = "many"

        [packages.tool]
        builder = "/bin/sh"
        inputs = ["tool"]

        [agents.web]
        comand = ["${packages.tool}/bin/web"]
        command = ["${packages.tol}/bin/web"]
        stop_timeout = "10"
        """

    static let expected = [
        "conf/../conf/keel.toml:3:13: 'host.log_files' must be an integer, not a string",
        "conf/../conf/keel.toml:7:11: package dependency cycle (inputs and ${packages.…}): 'tool' → 'tool'",
        "conf/../conf/keel.toml:10:1: unknown key 'comand' in agent 'web' (did you mean 'command'?)",
        "conf/../conf/keel.toml:11:13: unknown package 'tol' in ${packages.tol} (did you mean 'tool'?)",
        "conf/../conf/keel.toml:12:16: 'agents.web.stop_timeout': duration \"10\" has no unit; write a number and a "
            + "unit: ms, s, m, h, d or w, as in \"250ms\", \"30s\" or \"1h30m\"",
    ]

    /// A temporary directory holding `conf/keel.toml` with `text`.
    private func workspace(_ text: String) throws -> TemporaryDirectory {
        let temporary = try TemporaryDirectory(prefix: "keel-config-cli")
        try FileManager.default.createDirectory(atPath: temporary.appending("conf"), withIntermediateDirectories: false)
        try TestFiles.write(temporary.appending("conf/keel.toml"), Array(text.utf8))
        return temporary
    }

    @Test("keel eval: every problem on stderr in file order, exit 1, nothing on stdout")
    func evalReportsEveryProblem() throws {
        let temporary = try workspace(Self.broken)
        defer { temporary.remove() }
        let root = temporary.appending("root")
        let result = try KeelBinary.run(
            ["eval", "-f", "conf/../conf/keel.toml", "--root", root], directory: temporary.path)
        #expect(result.status == 1)
        #expect(result.errorOutput == Self.expected.joined(separator: "\n") + "\n")
        #expect(result.output.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test("keel eval: a syntax error, and a broken keel.lock beside a valid keel.toml")
    func syntaxAndLockErrors() throws {
        let temporary = try workspace("[host]\nname = \"box\"\n[agents.web\n")
        defer { temporary.remove() }
        let root = temporary.appending("root")
        let syntax = try KeelBinary.run(["eval", "-f", "conf/keel.toml", "--root", root], directory: temporary.path)
        #expect(syntax.status == 1)
        #expect(
            syntax.errorOutput == "conf/keel.toml:3:12: Error while parsing table header: expected ']', saw '\\n'\n")

        let valid = try workspace("[host]\nname = \"box\"\n")
        defer { valid.remove() }
        try TestFiles.write(valid.appending("conf/keel.lock"), Array("version = 1\n[fetch.x]\nurl = 1\n".utf8))
        let lock = try KeelBinary.run(["eval", "-f", "conf/keel.toml", "--root", root], directory: valid.path)
        #expect(lock.status == 1)
        #expect(
            lock.errorOutput == """
                conf/keel.lock:2:1: 'fetch.x' has no 'hash'
                conf/keel.lock:3:7: 'fetch.x.url' must be a string, not an integer

                """)
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test("keel switch with a broken keel.toml creates no root, and leaves an existing one empty")
    func switchWritesNothing() throws {
        let temporary = try workspace(Self.broken)
        defer { temporary.remove() }
        let missingRoot = temporary.appending("new-root")
        let first = try KeelBinary.run(
            ["switch", "-f", "conf/../conf/keel.toml", "--root", missingRoot], directory: temporary.path)
        #expect(first.status == 1)
        #expect(first.errorOutput == Self.expected.joined(separator: "\n") + "\n")
        #expect(!FileManager.default.fileExists(atPath: missingRoot))

        let emptyRoot = temporary.appending("empty-root")
        try FileManager.default.createDirectory(atPath: emptyRoot, withIntermediateDirectories: false)
        let second = try KeelBinary.run(
            ["switch", "-f", "conf/../conf/keel.toml", "--root", emptyRoot, "--update-lock"], directory: temporary.path)
        #expect(second.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: emptyRoot).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: temporary.appending("conf/keel.lock")))
    }
}
