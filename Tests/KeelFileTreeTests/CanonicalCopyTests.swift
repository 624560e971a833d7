import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelTesting
import Testing

@Suite("Copying and restoring trees into canonical form on several threads", .ownThreads)
struct CanonicalCopyTests {
    /// A tree wider than the writer pool holds at once: hundreds of directories with a file
    /// each, files too big for a batch, empty files and directories, symlinks, executables.
    private func makeWideTree(at root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for index in 0..<700 {
            let directory = root + "/d\(index % 7)/sub\(index)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try TestFiles.write(
                directory + "/file", Array("contents of \(index)\n".utf8), permissions: index % 5 == 0 ? 0o755 : 0o644)
        }
        try TestFiles.write(root + "/big", (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try TestFiles.write(root + "/exactly-a-batch", [UInt8](repeating: 9, count: 1 << 20), permissions: 0o700)
        try TestFiles.write(root + "/empty", [])
        try FileManager.default.createDirectory(atPath: root + "/empty-dir", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "d1/sub1/file")
        try FileManager.default.createSymbolicLink(atPath: root + "/d3/dangling", withDestinationPath: "../nowhere")
    }

    /// Every object below `path` (itself included) in canonical form, or the first that is not.
    private func firstNonCanonical(_ path: String) throws -> String? {
        let info = try FileSystem.status(of: Array(path.utf8))
        if info.modificationTime != 1 { return "\(path): mtime \(info.modificationTime)" }
        switch info.kind {
        case .directory:
            if info.permissions != 0o555 { return "\(path): mode \(String(info.permissions, radix: 8))" }
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                if let problem = try firstNonCanonical(path + "/" + name) { return problem }
            }
        case .regular:
            if info.permissions != 0o444, info.permissions != 0o555 {
                return "\(path): mode \(String(info.permissions, radix: 8))"
            }
        case .symlink:
            break
        default:
            return "\(path): unexpected kind"
        }
        return nil
    }

    @Test("a copy made while hashing has the source's NAR, that hash, and canonical form throughout")
    func copyWhileHashing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let source = temporary.appending("source")
        try makeWideTree(at: source)
        let destination = try FileSystem.openDirectory(Array(temporary.path.utf8))
        defer { FileSystem.close(destination) }
        var restorer = TreeRestorer(
            creating: Array("copy".utf8), in: destination, label: temporary.appending("copy"), canonical: true)
        let (hash, size) = try TreeDumper.copy(path: source, into: &restorer)
        try restorer.commit()

        let (sourceHash, sourceSize) = try TreeDumper.hash(path: source)
        #expect(hash == sourceHash)
        #expect(size == sourceSize)
        #expect(try TreeDumper.hash(path: temporary.appending("copy")).hash == sourceHash)
        #expect(try firstNonCanonical(temporary.appending("copy")) == nil)
        let executable = try FileSystem.status(of: Array(temporary.appending("copy/d0/sub0/file").utf8))
        #expect(executable.permissions == 0o555)
        let plain = try FileSystem.status(of: Array(temporary.appending("copy/d1/sub1/file").utf8))
        #expect(plain.permissions == 0o444)
    }

    /// `size` bytes that differ with their offset and with `salt`, so a block written at the
    /// wrong place or twice shows.
    private func patterned(_ size: Int, salt: UInt64) -> [UInt8] {
        var words = [UInt64](repeating: 0, count: (size + 7) / 8)
        words.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 ^ salt }
        }
        return words.withUnsafeBytes { Array($0.prefix(size)) }
    }

    @Test("files past the writer pool's limit, of every alignment, are copied exactly and canonically; none stays open")
    func bigFilesOfEveryAlignment() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let source = temporary.appending("source")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        // Around the writer pool's limit (1 MiB) and the file system's 4096-byte blocks, and one
        // file far past both.
        let sizes = [(1 << 20) + 1, (2 << 20) + 4095, 4 << 20, 16 << 20, (16 << 20) + 1, (40 << 20) + 12345]
        for (index, size) in sizes.enumerated() {
            try TestFiles.write(
                "\(source)/f\(index)", patterned(size, salt: UInt64(index)), permissions: index == 2 ? 0o755 : 0o644)
        }
        let destination = try FileSystem.openDirectory(Array(temporary.path.utf8))
        defer { FileSystem.close(destination) }
        var restorer = TreeRestorer(
            creating: Array("copy".utf8), in: destination, label: temporary.appending("copy"), canonical: true)
        let (hash, _) = try TreeDumper.copy(path: source, into: &restorer)
        try restorer.commit()

        #expect(hash == (try TreeDumper.hash(path: source)).hash)
        #expect(try TreeDumper.hash(path: temporary.appending("copy")).hash == hash)
        for (index, size) in sizes.enumerated() {
            let info = try FileSystem.status(of: Array(temporary.appending("copy/f\(index)").utf8))
            #expect(info.size == UInt64(size), "f\(index)")
            #expect(info.permissions == (index == 2 ? 0o555 : 0o444), "f\(index)")
        }
        #expect(try firstNonCanonical(temporary.appending("copy")) == nil)
        let stillOpen = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)
        }.filter { $0.hasPrefix(temporary.appending("copy")) }
        #expect(stillOpen.isEmpty)
    }

    @Test("a NAR restored in canonical mode equals the plain restore byte for byte, and is canonical")
    func canonicalRestoreFromNAR() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let source = temporary.appending("source")
        try makeWideTree(at: source)
        var writer = try NARWriter(sink: ArrayNARSink())
        try TreeDumper.dump(path: source, into: &writer)
        try writer.finish()
        let nar = writer.sink.bytes

        let destination = try FileSystem.openDirectory(Array(temporary.path.utf8))
        defer { FileSystem.close(destination) }
        var canonical = TreeRestorer(
            creating: Array("canonical".utf8), in: destination, label: "canonical", canonical: true)
        var reader = ByteReader(source: ArrayByteSource(nar))
        try NARReader.parseWhole(&reader, visitor: &canonical)
        try canonical.commit()
        var plain = try TreeRestorer(destination: temporary.appending("plain"))
        var plainReader = ByteReader(source: ArrayByteSource(nar))
        try NARReader.parseWhole(&plainReader, visitor: &plain)
        try plain.commit()

        let expected = StreamingHasher.hash(.sha256, nar)
        #expect(try TreeDumper.hash(path: temporary.appending("canonical")).hash == expected)
        #expect(try TreeDumper.hash(path: temporary.appending("plain")).hash == expected)
        #expect(try firstNonCanonical(temporary.appending("canonical")) == nil)
        let plainFile = try FileSystem.status(of: Array(temporary.appending("plain/d1/sub1/file").utf8))
        #expect(plainFile.permissions == 0o644)
    }

    @Test("a source that fails part-way through a copy leaves nothing behind")
    func failedCopyLeavesNothing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let source = temporary.appending("source")
        try makeWideTree(at: source)
        #expect(mkfifo(source + "/d6/zz-fifo", 0o644) == 0)
        let destination = try FileSystem.openDirectory(Array(temporary.path.utf8))
        defer { FileSystem.close(destination) }
        var restorer = TreeRestorer(creating: Array("copy".utf8), in: destination, label: "copy", canonical: true)
        let error = #expect(throws: FileTreeError.self) { try TreeDumper.copy(path: source, into: &restorer) }
        #expect(error?.path == source + "/d6/zz-fifo")
        restorer.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted() == ["source"])
    }

    @Test("removing many trees on several threads removes every one, read-only directories included")
    func parallelRemoval() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = try FileSystem.openDirectory(Array(temporary.path.utf8))
        defer { FileSystem.close(directory) }
        var names: [[UInt8]] = []
        for index in 0..<300 {
            let name = "entry\(index)"
            if index % 3 == 0 {
                try TestFiles.write(temporary.appending(name), Array("file \(index)".utf8), permissions: 0o444)
            } else {
                try makeSmallReadOnlyTree(at: temporary.appending(name))
            }
            names.append(Array(name.utf8))
        }
        names.append(Array("never-existed".utf8))
        let failures = ParallelRemover.remove(names, in: directory)
        #expect(failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    private func makeSmallReadOnlyTree(at path: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/inner", withIntermediateDirectories: true)
        try TestFiles.write(path + "/inner/file", Array("x".utf8), permissions: 0o444)
        try FileManager.default.createSymbolicLink(atPath: path + "/link", withDestinationPath: "inner/file")
        #expect(chmod(path + "/inner", 0o555) == 0)
        #expect(chmod(path, 0o555) == 0)
    }
}
