import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelTesting
import Testing

@Suite("Archiving and restoring trees", .ownThreads)
struct TreeDumperTests {
    @Test("the spec's worked examples: a file and a tiny directory")
    func workedExamples() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let file = temporary.appending("hello.txt")
        try "hello\n".write(toFile: file, atomically: false, encoding: .utf8)
        let (hash, size) = try TreeDumper.hash(path: file)
        #expect(hash.base16 == "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13")
        #expect(size == 120)
        let store = StorePathComputer(storeDirectory: .nix)
        #expect(
            try store.sourcePath(narHash: hash, name: "hello.txt").baseName
                == "i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt")

        let tiny = temporary.appending("tiny")
        try FileManager.default.createDirectory(atPath: tiny, withIntermediateDirectories: false)
        try TestFiles.write(tiny + "/e", [], permissions: 0o755)
        try FileManager.default.createSymbolicLink(atPath: tiny + "/l", withDestinationPath: "e")
        let (tinyHash, tinySize) = try TreeDumper.hash(path: tiny)
        #expect(tinySize == 504)
        #expect(tinyHash.nixBase32 == "0p0dp9c4slqqqkf5nvchb26c75cgbxcs40lbxqq6agm99fznglg1")
    }

    @Test("a fifo is refused with an error naming it")
    func refusesFifo() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
        #expect(mkfifo(tree + "/pipe", 0o644) == 0)
        let error = #expect(throws: FileTreeError.self) { try TreeDumper.hash(path: tree) }
        #expect(error?.description == "file '\(tree)/pipe' has an unsupported type")
    }

    @Test("a fifo deep inside a tree listed ahead is reported with its path, in archive order")
    func fifoDeepInside() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        for directory in ["a/b", "a/c", "z"] {
            try FileManager.default.createDirectory(atPath: "\(tree)/\(directory)", withIntermediateDirectories: true)
            for index in 0..<50 {
                try TestFiles.write("\(tree)/\(directory)/f\(index)", [UInt8](repeating: 1, count: 3000))
            }
        }
        #expect(mkfifo(tree + "/a/b/pipe", 0o644) == 0)
        #expect(mkfifo(tree + "/z/pipe", 0o644) == 0)
        let error = #expect(throws: FileTreeError.self) { try TreeDumper.hash(path: tree) }
        #expect(error?.description == "file '\(tree)/a/b/pipe' has an unsupported type")
    }

    @Test("more subdirectories than are listed ahead at once still archive correctly")
    func manySubdirectories() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        for index in 0..<400 {
            try FileManager.default.createDirectory(atPath: "\(tree)/d\(index)/e", withIntermediateDirectories: true)
            try TestFiles.write("\(tree)/d\(index)/e/f", Array("\(index)".utf8))
        }
        let nix = try NixOracle(root: temporary.appending("nix"))
        let expected = try nix.run("nix-store", ["--dump", tree]).standardOutput
        let (hash, size) = try TreeDumper.hash(path: tree)
        #expect(size == UInt64(expected.count))
        #expect(hash == StreamingHasher.hash(.sha256, expected))
    }

    @Test("a missing path is an error naming it")
    func missingPath() throws {
        let error = #expect(throws: FileTreeError.self) { try TreeDumper.hash(path: "/nonexistent/keel/path") }
        #expect(error?.description.hasPrefix("/nonexistent/keel/path: No such file or directory") == true)
    }

    @Test("many small files in one wide directory hash the same with and without prefetching order effects")
    func wideDirectory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("wide")
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        var random = SeededGenerator(seed: 7)
        for index in 0..<600 {
            let bytes = random.bytes(Int.random(in: 0...300_000, using: &random) / (index % 50 == 0 ? 1 : 100))
            try TestFiles.write("\(tree)/f\(index)", bytes)
            if index % 3 == 0 {
                try TestFiles.write("\(tree)/sub/g\(index)", bytes)
            }
        }
        var writer = try NARWriter(sink: ArrayNARSink())
        try TreeDumper.dump(path: tree, into: &writer)
        try writer.finish()
        let (hash, size) = try TreeDumper.hash(path: tree)
        #expect(size == UInt64(writer.sink.bytes.count))
        #expect(hash == StreamingHasher.hash(.sha256, writer.sink.bytes))
    }

    @Test("a restore that fails part-way leaves nothing behind")
    func failedRestoreLeavesNothing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree + "/a", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/a/file", [UInt8](repeating: 7, count: 10_000))
        try TestFiles.write(tree + "/b", Array("b".utf8))
        var writer = try NARWriter(sink: ArrayNARSink())
        try TreeDumper.dump(path: tree, into: &writer)
        try writer.finish()
        let truncated = Array(writer.sink.bytes.dropLast(20))
        let destination = temporary.appending("out")
        var restorer = try TreeRestorer(destination: destination)
        var reader = ByteReader(source: ArrayByteSource(truncated))
        #expect(throws: NARReadError.self) { try NARReader.parseWhole(&reader, visitor: &restorer) }
        restorer.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted() == ["tree"])
    }

    @Test("restoring onto an existing destination is refused")
    func existingDestination() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let error = #expect(throws: FileTreeError.self) { try TreeRestorer(destination: temporary.path) }
        #expect(error?.description == "'\(temporary.path)' already exists")
    }
}
