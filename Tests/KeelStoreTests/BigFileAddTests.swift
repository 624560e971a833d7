import Foundation
import KeelFileTree
import KeelFormats
import KeelStore
import KeelTesting
import Testing

/// `keel store add` of trees made of big files, which are copied while they are still being
/// hashed (`TreeHashProbe.BigFiles.standard`: 32 MiB read, 256 KiB a file or more).
extension LocalStoreTests {
    /// A tree past the big-files threshold: three files of about 12 MiB (sizes off the file
    /// system's 4096-byte blocks, contents differing in `variant`), a small file in a
    /// subdirectory and a symlink.
    func makeBigTree(_ path: String, variant: UInt8) throws {
        try FileManager.default.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
        for index in 0..<3 {
            var bytes = [UInt8](repeating: UInt8(index), count: (12 << 20) + index * 4099 + 1)
            bytes[bytes.count - 1] = variant
            try TestFiles.write("\(path)/blob\(index)", bytes, permissions: index == 0 ? 0o755 : 0o644)
        }
        try TestFiles.write(path + "/sub/small", Array("small \(variant)\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: path + "/link", withDestinationPath: "sub/small")
    }

    @Test("a tree of big files gets nix's path and canonical files; adding it again leaves nothing behind")
    func bigFilesMatchNix() throws {
        let fixture = try StoreFixture()
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        let tree = fixture.temporary.appending("big")
        try makeBigTree(tree, variant: 1)
        let path = try fixture.store.add(tree)
        #expect(fixture.store.fullPath(path) == (try nix.output("nix", ["store", "add-path", "--dry-run", tree])))
        let info = try fixture.store.info(path)
        let (hash, size) = try TreeDumper.hash(path: fixture.store.fullPath(path))
        #expect(info.narHash == hash && info.narSize == size)
        try expectCanonical(fixture.store.fullPath(path))
        // Already valid: the copy begun beside the hash is dropped.
        for _ in 0..<3 { #expect(try fixture.store.add(tree) == path) }
        let stray = try fixture.strayEntries()
        #expect(stray.isEmpty, "\(stray)")
    }

    @Test("a big file that cannot be written is named in the error; nothing is registered or left behind")
    func unwritableBigFile() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("big")
        try makeBigTree(tree, variant: 4)
        // An 8 MiB file-size limit (SIGXFSZ ignored, so writes past it fail with EFBIG).
        let result = try ProcessRunner.run(
            "bash",
            [
                "-c", "trap '' XFSZ; ulimit -f 8192; exec \"$0\" store add \"$1\" --root \"$2\"",
                KeelBinary.path, tree, fixture.store.layout.root,
            ])
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("/blob0: File too large"), "\(result.errorOutput)")
        let reopened = try LocalStore(layout: fixture.store.layout)
        #expect(try reopened.validPaths().isEmpty)
        #expect(try fixture.strayEntries(in: reopened).isEmpty)
    }

    @Test("processes adding the same tree of big files at once produce one valid copy")
    func concurrentBigAdds() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("big")
        try makeBigTree(tree, variant: 2)
        let root = fixture.store.layout.root
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            results.append(try? KeelBinary.run(["store", "add", tree, "--root", root]))
        }
        let outputs = results.all.compactMap { $0 }.filter { $0.status == 0 }.map(\.output)
        #expect(outputs.count == 4)
        #expect(Set(outputs).count == 1)
        let reopened = try LocalStore(layout: fixture.store.layout)
        let path = try reopened.storePath(outputs[0].trimmingCharacters(in: .whitespacesAndNewlines))
        let (hash, _) = try TreeDumper.hash(path: reopened.fullPath(path))
        #expect(try reopened.info(path).narHash == hash)
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("SIGKILL at random moments of adding big files never leaves a broken or stray path")
    func killedBigAdds() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fixture = try StoreFixture()
        let root = fixture.store.layout.root
        let shared = fixture.temporary.appending("shared")
        try makeBigTree(shared, variant: 3)
        for round in 0..<15 {
            // The big files are shared (hard links); a small file makes each round's tree new.
            let tree = fixture.temporary.appending("tree\(round)")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: false)
            for index in 0..<3 {
                try FileManager.default.linkItem(atPath: "\(shared)/blob\(index)", toPath: "\(tree)/blob\(index)")
            }
            try TestFiles.write(tree + "/round", random.bytes(100))
            try KeelBinary.runKilled(
                ["store", "add", tree, "--root", root],
                afterMicroseconds: UInt32.random(in: 0...400_000, using: &random))
        }
        let store = try LocalStore(layout: fixture.store.layout)
        #expect(try store.pendingPaths().isEmpty && store.borrowedPaths().isEmpty)
        #expect(try fixture.strayEntries().isEmpty, "seed \(seed)")
        for name in try FileManager.default.contentsOfDirectory(atPath: store.layout.storeDirectory.path)
        where name != ".keel-store" {
            let path = try StorePath(baseName: name)
            let (hash, size) = try TreeDumper.hash(path: store.fullPath(path))
            let info = try store.info(path)
            #expect(info.narHash == hash && info.narSize == size, "seed \(seed): \(name)")
            try expectCanonical(store.fullPath(path))
        }
    }
}
