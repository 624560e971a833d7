import Foundation
import KeelLinux
import KeelTesting
import Testing

/// Files put in place under a temporary name: whatever was at the path is replaced, only a file
/// the call made is opened, and no temporary name is left behind.
@Suite(.ownThreads) struct FileReplacementTests {
    private func names(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func createReplacingPutsANewFileOverAFifoAndReturnsItOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("pid")
        #expect(mkfifo(path, 0o666) == 0)
        let fd = try FileSystem.createReplacing(atPath: path, permissions: 0o640)
        defer { FileSystem.close(fd) }
        try FileSystem.write(fd, Array("42\n".utf8), at: 0)
        let status = try FileSystem.status(of: Array(path.utf8))
        #expect(status.kind == .regular && status.permissions & 0o777 == 0o640)
        #expect(try FileSystem.readWholeFile(path) == Array("42\n".utf8))
        #expect(try names(directory) == ["pid"])
    }

    @Test func replaceFileSwapsTheContentWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("state")
        try FileSystem.replaceFile(atPath: path, with: Array("old, and longer\n".utf8))
        try FileSystem.replaceFile(atPath: path, with: Array("new\n".utf8))
        #expect(try FileSystem.readWholeFile(path) == Array("new\n".utf8))
        #expect(try names(directory) == ["state"])
    }
}
