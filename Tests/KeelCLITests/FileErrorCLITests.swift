import Foundation
import KeelTesting
import Testing

@Suite("Files the user names are read with the system's own reason for a failure", .ownThreads)
struct FileErrorCLITests {
    @Test("a missing file, a directory and a dangling link each get their errno's reason, exit 1")
    func reasons() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = temporary.appending("dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dangling = temporary.appending("dangling")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: temporary.appending("gone"))
        let cases: [(String, String)] = [
            (temporary.appending("missing"), "no such file or directory"),
            (directory, "is a directory"),
            (dangling, "no such file or directory"),
        ]
        let root = temporary.appending("root")
        for (file, reason) in cases {
            let commands = [
                ["narinfo", "fingerprint", file], ["ledger", "append", "--root", root, "--jsonl", file],
                ["drv", "show", file],
            ]
            for command in commands {
                let result = try KeelBinary.run(command)
                #expect(result.status == 1, "\(command)")
                #expect(
                    result.errorOutput == "keel: cannot read '\(file)': \(reason)\n",
                    "\(command): \(result.errorOutput)")
            }
        }
    }
}
