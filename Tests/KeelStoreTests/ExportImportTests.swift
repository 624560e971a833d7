import Foundation
import KeelFileTree
import KeelFormats
import KeelStore
import KeelTesting
import Synchronization
import SystemPackage
import Testing

@Suite("Export and import against nix", .ownThreads)
struct ExportImportTests {
    static let expression = NixExpressions.closure

    /// Builds `top` with nix in a chroot store whose logical store dir is Keel's, and returns
    /// nix, the chroot store URL and the closure.
    func buildWithNix(_ fixture: StoreFixture) throws -> (NixOracle, String, [String]) {
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        let store = "local?root=\(fixture.temporary.appending("nixroot"))"
        let file = fixture.temporary.appending("build.nix")
        try Self.expression.write(toFile: file, atomically: false, encoding: .utf8)
        let top = try nix.output(
            "nix-build",
            ["--store", store, "--option", "sandbox-paths", "/bin/sh=/bin/busybox", file, "-A", "top", "--no-out-link"])
        let closure = try nix.output("nix-store", ["--store", store, "-qR", top]).split(separator: "\n").map(
            String.init)
        return (nix, store, closure)
    }

    @Test("a nix export imports with nix's metadata, and Keel's export equals nix's, references first")
    func roundTrip() throws {
        let fixture = try StoreFixture()
        let (nix, nixStore, closure) = try buildWithNix(fixture)
        let stream = try nix.run("nix-store", ["--store", nixStore, "--export"] + closure).standardOutput
        let imported = try fixture.store.importPaths(from: ArrayByteSource(stream))
        #expect(Set(imported.map(fixture.store.fullPath)) == Set(closure))
        for full in closure {
            let info = try fixture.store.info(try fixture.store.storePath(full))
            #expect(
                info.narHash
                    == (try NixHash(parsing: try nix.output("nix-store", ["--store", nixStore, "-q", "--hash", full]))))
            let references = try nix.output("nix-store", ["--store", nixStore, "-q", "--references", full])
            #expect(
                Set(info.references.map(fixture.store.fullPath))
                    == Set(references.split(separator: "\n").map(String.init)))
            #expect(
                info.deriver.map(fixture.store.fullPath)
                    == (try nix.output("nix-store", ["--store", nixStore, "-q", "--deriver", full])))
            #expect(info.contentAddress == nil)
        }
        let top = try #require(imported.first { $0.name == "top" })
        #expect(try fixture.store.closure(of: [top]) == Set(imported), "top's closure is the whole stream")
        #expect(
            try fixture.store.importPaths(from: ArrayByteSource(stream)).count == closure.count,
            "importing again is a no-op")

        let exported = try export(fixture, closure.reversed())
        #expect(exported == stream, "Keel orders references first and writes nix's bytes")
        let other = "local?root=\(fixture.temporary.appending("nixroot2"))"
        try nix.run("nix-store", ["--store", other, "--import"], input: exported)
        #expect(try nix.run("nix-store", ["--store", other, "--export"] + closure).standardOutput == stream)
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("random trees of many small files, exported, deleted and imported again, come back whole")
    func manyTreesRoundTrip() throws {
        let seed = testSeed()
        let fixture = try StoreFixture()
        var generator = RandomTree(seed: seed)
        var paths: [StorePath] = []
        for index in 0..<24 {
            let tree = fixture.temporary.appending("t\(index)")
            try generator.make(at: tree)
            paths.append(try fixture.store.add(tree))
        }
        let hashes = try paths.map { try fixture.store.info($0).narHash }
        let stream = try export(fixture, paths.map(fixture.store.fullPath))
        _ = try fixture.store.delete(paths)
        #expect(try paths.allSatisfy { try !fixture.store.isValid($0) }, "seed \(seed)")
        // The files of one path and the next share the restore's writer batches.
        let imported = try fixture.store.importPaths(from: ArrayByteSource(stream))
        #expect(Set(imported) == Set(paths), "seed \(seed)")
        #expect(try paths.map { try fixture.store.info($0).narHash } == hashes, "seed \(seed)")
        for path in paths {
            let (hash, _) = try TreeDumper.hash(path: fixture.store.fullPath(path))
            #expect(hash == (try fixture.store.info(path).narHash), "seed \(seed): \(path.baseName)")
            try LocalStoreTests().expectCanonical(fixture.store.fullPath(path))
        }
        #expect(try fixture.strayEntries().isEmpty, "seed \(seed)")
    }

    /// Runs `keel store export` and returns its stdout.
    func export(_ fixture: StoreFixture, _ paths: [String]) throws -> [UInt8] {
        let keel = try KeelBinary.run(["store", "export", "--root", fixture.store.layout.root] + paths)
        #expect(keel.status == 0, "\(keel.errorOutput)")
        return keel.standardOutput
    }

    @Test("broken streams are refused with a clear error and register nothing")
    func brokenStreams() throws {
        let fixture = try StoreFixture()
        let (nix, nixStore, closure) = try buildWithNix(fixture)
        let stream = try nix.run("nix-store", ["--store", nixStore, "--export"] + closure).standardOutput
        let withoutDependency = try nix.run("nix-store", ["--store", nixStore, "--export", closure.last!])
            .standardOutput
        var badMagic = stream
        badMagic[8] = 0x0c
        var unsorted = [UInt8]()
        // A NAR with entries out of order (nix 2.8 accepts it; Keel refuses it).
        let directory = fixture.temporary.appending("d")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestFiles.write(directory + "/a", [1])
        try TestFiles.write(directory + "/b", [2])
        let nar = try nix.run("nix-store", ["--dump", directory]).standardOutput
        let a = nar.firstRange(of: Array("\u{1}\0\0\0\0\0\0\0a\0\0\0\0\0\0\0".utf8))!
        let b = nar.firstRange(of: Array("\u{1}\0\0\0\0\0\0\0b\0\0\0\0\0\0\0".utf8))!
        var swapped = nar
        swapped.replaceSubrange(a, with: nar[b])
        swapped.replaceSubrange(b, with: nar[a])
        let path = fixture.store.layout.storeDirectory.path + "/8nnk8h887pfkfd2dbvlhw4mrws352dbf-unsorted"
        unsorted = ExportStream.write([(ExportEntry(path: path, references: [], deriver: nil), swapped)])
        let outside = ExportStream.write([
            (ExportEntry(path: "/elsewhere/8nnk8h887pfkfd2dbvlhw4mrws352dbf-x", references: [], deriver: nil), nar)
        ])
        // The first path's NAR is followed by "NIXE", its path's length and the path.
        let trailer = stream.firstRange(of: Array("NIXE".utf8))!
        var badMarker = stream
        badMarker[0] = 2
        var badTrailer = stream
        badTrailer[trailer.lowerBound] = UInt8(ascii: "X")
        var hugeLength = stream
        hugeLength.replaceSubrange(
            (trailer.lowerBound + 8)..<(trailer.lowerBound + 16), with: [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0])
        var cutInsidePath = Array(stream[..<trailer.upperBound])
        cutInsidePath += stream[trailer.upperBound..<(trailer.upperBound + 4)]
        // NARs whose entry names would escape the directory being restored.
        let escaping = [("..", "'.' and '..'"), ("a/b", "contains '/'"), ("../../../etc", "contains '/'")].map {
            name, expected in
            let entry = ExportEntry(
                path: path.replacingOccurrences(of: "unsorted", with: "escape"), references: [], deriver: nil)
            return (ExportStream.write([(entry, Self.directoryHoldingSymlink(named: name))]), expected)
        }
        let cases: [([UInt8], String)] =
            [
                (Array(stream.dropLast(100)), "input ends early"),
                (cutInsidePath, "input ends early"),
                (badMagic, "invalid NAR"),
                (badMarker, "unexpected marker 2 at byte 0"),
                (badTrailer, "expected NIXE after the NAR"),
                (hugeLength, "exceeds the limit of 4096"),
                (withoutDependency, "neither valid nor in the stream"),
                (unsorted, "is not sorted after"),
                (outside, "not in the store directory"),
            ] + escaping
        for (bytes, expected) in cases {
            let error = #expect(throws: StoreError.self) { try fixture.store.importPaths(from: ArrayByteSource(bytes)) }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "accepted")")
            #expect(error?.description.hasSuffix("; nothing was imported") == true)
            #expect(try fixture.store.validPaths().isEmpty, "after \(expected)")
            #expect(try fixture.strayEntries().isEmpty, "after \(expected)")
        }
        for full in closure { #expect(try !fixture.store.isValid(try fixture.store.storePath(full))) }
        let keel = try KeelBinary.run(["store", "import", "--root", fixture.store.layout.root], input: badMagic)
        #expect(
            keel.status == 1 && keel.errorOutput.hasPrefix("keel: ")
                && keel.errorOutput.split(separator: "\n").count == 1)
    }

    @Test("add-nar refuses a NAR whose names would escape the tree, and registers nothing")
    func addNARRefusesEscapingNames() throws {
        let fixture = try StoreFixture()
        for (name, expected) in [
            ("..", "'.' and '..'"), (".", "'.' and '..'"), ("a/b", "contains '/'"), ("", "empty name"),
        ] {
            let error = #expect(throws: StoreError.self) {
                try fixture.store.addNAR(
                    from: ArrayByteSource(Self.directoryHoldingSymlink(named: name)), name: "escape")
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "accepted")")
            #expect(try fixture.store.validPaths().isEmpty)
            #expect(try fixture.strayEntries().isEmpty)
        }
    }

    /// The NAR of a directory holding one symlink named `name` (any bytes, for malformed cases).
    static func directoryHoldingSymlink(named name: String) -> [UInt8] {
        NARTokens.directory([[name, "node", "(", "type", "symlink", "target", "x", ")"]])
    }

    @Test("a path twice in one stream is imported once, without waiting on its own lock")
    func pathTwiceInAStream() throws {
        let fixture = try StoreFixture()
        let path = fixture.store.layout.storeDirectory.path + "/8nnk8h887pfkfd2dbvlhw4mrws352dbf-twice"
        let entry = ExportEntry(path: path, references: [], deriver: nil)
        let nar = Self.directoryHoldingSymlink(named: "link")
        let stream = ExportStream.write([(entry, nar), (entry, nar)])
        let store = fixture.store
        let finished = DispatchSemaphore(value: 0)
        let imported = Mutex<[StorePath]?>(nil)
        Thread.detachNewThread {
            let paths = try? store.importPaths(from: ArrayByteSource(stream))
            imported.withLock { $0 = paths }
            finished.signal()
        }
        // A guard against a hang, not a timing: the import takes milliseconds.
        #expect(finished.wait(timeout: .now() + 60) == .success, "the import never finished")
        let twice = try store.storePath(path)
        #expect(imported.withLock { $0 } == [twice, twice] || imported.withLock { $0 } == [twice])
        #expect(try store.isValid(twice))
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("SIGKILL at random moments of keel store import leaves all of the stream or none of it")
    func killedImports() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fixture = try StoreFixture()
        let (nix, nixStore, closure) = try buildWithNix(fixture)
        var stream = try nix.run("nix-store", ["--store", nixStore, "--export"] + closure).standardOutput
        // Make the stream bigger so a kill lands mid-import more often: add a large tree.
        let big = fixture.temporary.appending("big")
        try FileManager.default.createDirectory(atPath: big, withIntermediateDirectories: true)
        for index in 0..<400 { try TestFiles.write("\(big)/f\(index)", random.bytes(2000)) }
        let bigNAR = try nix.run("nix-store", ["--dump", big]).standardOutput
        let bigPath =
            fixture.store.layout.storeDirectory.path + "/"
            + (try StorePathComputer(storeDirectory: fixture.store.layout.storeDirectory)
            .sourcePath(narHash: StreamingHasher.hash(.sha256, bigNAR), name: "big")).baseName
        stream =
            Array(stream.dropLast(8))
            + ExportStream.write([(ExportEntry(path: bigPath, references: [], deriver: nil), bigNAR)])
        let input = fixture.temporary.appending("stream")
        try Data(stream).write(to: URL(fileURLWithPath: input))
        let all = Set(closure + [bigPath])
        var complete = 0
        for _ in 0..<50 {
            TemporaryDirectory.removeTree(fixture.store.layout.root)
            _ = try LocalStore(layout: fixture.store.layout)
            try KeelBinary.runKilled(
                ["store", "import", "--root", fixture.store.layout.root], input: input,
                afterMicroseconds: UInt32.random(in: 0...40_000, using: &random))
            let store = try LocalStore(layout: fixture.store.layout)
            #expect(try store.pendingPaths().isEmpty && store.borrowedPaths().isEmpty)
            let valid = Set(try store.validPaths().map(store.fullPath))
            #expect(valid.isEmpty || valid == all, "seed \(seed): \(valid.count) of \(all.count) valid")
            #expect(try fixture.strayEntries(in: store).isEmpty, "seed \(seed)")
            if valid == all { complete += 1 }
            for full in valid {
                let info = try store.info(try store.storePath(full))
                #expect(info.narHash == (try TreeDumper.hash(path: full)).hash, "seed \(seed): \(full)")
            }
        }
        #expect(complete < 50, "seed \(seed): some kills should land mid-import")
    }
}
