import Foundation
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import Testing

/// A private nix store holding one added tree and one instantiated `.drv`, and a fresh keel root
/// beside it; all of it is removed when the neighbour goes.
final class NixNeighbour {
    let temporary: TemporaryDirectory
    let nix: NixOracle
    let nixPath: String
    let drvPath: String
    let keelRoot: String

    init() throws {
        temporary = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temporary.appending("nix"), withIntermediateDirectories: true)
        nix = try NixOracle(root: temporary.appending("nix"))
        let tree = temporary.appending("nix-tree")
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/sub/file", Array("nix's own\n".utf8))
        nixPath = try nix.output("nix-store", ["--add", tree])
        let expression = temporary.appending("leaf.nix")
        try TestFiles.write(
            expression,
            Array(
                #"derivation { name = "leaf"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo hi > $out" ]; }"#
                    .utf8))
        drvPath = try nix.output("nix-instantiate", [expression])
        keelRoot = temporary.appending("keel")
    }

    deinit { temporary.remove() }

    /// Keel's command line on this neighbour's store directory.
    func keel(_ arguments: [String], input: [UInt8] = []) throws -> ProcessResult {
        try KeelBinary.run(arguments + ["--root", keelRoot, "--store-dir", nix.storeDirectory], input: input)
    }

    /// Fails the test unless nix's store is whole: both of nix's paths exist and
    /// `nix-store --verify --check-contents` finds nothing wrong.
    func expectNixStoreIntact(_ comment: Comment) throws {
        #expect(FileManager.default.fileExists(atPath: nixPath + "/sub/file"), comment)
        #expect(FileManager.default.fileExists(atPath: drvPath), comment)
        let verify = try ProcessRunner.run(
            "nix-store", ["--verify", "--check-contents"], environment: nix.environment)
        #expect(verify.status == 0, comment)
        for word in ["disappeared", "modified", "error"] {
            #expect(!verify.errorOutput.contains(word), "\(comment): \(verify.errorOutput)")
        }
    }
}

@Suite("Keel touches only what it made in a store directory", .ownThreads)
struct StoreOwnershipTests {
    @Test("keel refuses a Nix store directory it does not own, naming what to do, and touches nothing of Nix's")
    func refusesNixStore() throws {
        let neighbour = try NixNeighbour()
        let other = neighbour.temporary.appending("other")
        try TestFiles.write(other, Array("keel's\n".utf8))
        for command in [["store", "add", other], ["store", "gc"], ["store", "verify"]] {
            let result = try neighbour.keel(command)
            #expect(result.status == 1, "\(command)")
            #expect(result.errorOutput.contains("this Keel root did not make"), "\(command): \(result.errorOutput)")
            #expect(result.errorOutput.contains("keel store adopt"), "\(command)")
            #expect(result.errorOutput.contains("keel store import"), "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: neighbour.nix.storeDirectory + "/.keel-store"))
        try neighbour.expectNixStoreIntact("after the refusals")
    }

    @Test("in an adopted Nix store, keel's gc and leftover cleanup remove keel's paths and nothing of Nix's")
    func adoptedNixStore() throws {
        let neighbour = try NixNeighbour()
        let adopt = try neighbour.keel(["store", "adopt"])
        #expect(adopt.status == 0, "\(adopt.errorOutput)")
        #expect(adopt.output.contains("entries of other tools are left as they are"), "\(adopt.output)")
        let other = neighbour.temporary.appending("other")
        try TestFiles.write(other, Array("keel's\n".utf8))
        let added = try neighbour.keel(["store", "add", other])
        #expect(added.status == 0, "\(added.errorOutput)")
        let keelPath = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // A keel process that died with the store open makes the next one clean up leftovers.
        try TestFiles.write(neighbour.keelRoot + "/db/active/1-dead", [])
        #expect(try neighbour.keel(["store", "verify"]).status == 0)
        try neighbour.expectNixStoreIntact("after the leftover cleanup")
        let collected = try neighbour.keel(["store", "gc"])
        #expect(collected.status == 0, "\(collected.errorOutput)")
        #expect(collected.output.contains(keelPath))
        #expect(!FileManager.default.fileExists(atPath: keelPath))
        try neighbour.expectNixStoreIntact("after gc")
    }

    @Test("a Nix path imported into an adopted store is registered where it is, and gc leaves its files alone")
    func borrowedPath() throws {
        let neighbour = try NixNeighbour()
        #expect(try neighbour.keel(["store", "adopt"]).status == 0)
        let stream = try neighbour.nix.run("nix-store", ["--export", neighbour.nixPath]).standardOutput
        let imported = try neighbour.keel(["store", "import"], input: stream)
        #expect(imported.status == 0, "\(imported.errorOutput)")
        #expect(imported.output.trimmingCharacters(in: .whitespacesAndNewlines) == neighbour.nixPath)
        let verify = try neighbour.keel(["store", "verify", "--check-contents"])
        #expect(verify.status == 0, "\(verify.errorOutput)")
        // optimise links keel's own copy of the same file, never nix's file.
        let twin = neighbour.temporary.appending("twin")
        try TestFiles.write(twin, Array("nix's own\n".utf8))
        #expect(try neighbour.keel(["store", "add", twin]).status == 0)
        let nixFile = neighbour.nixPath + "/sub/file"
        let before = try FileSystem.status(of: Array(nixFile.utf8))
        let optimised = try neighbour.keel(["store", "optimise"])
        #expect(optimised.status == 0, "\(optimised.errorOutput)")
        let after = try FileSystem.status(of: Array(nixFile.utf8))
        #expect(after.inode == before.inode && after.linkCount == 1)
        let collected = try neighbour.keel(["store", "gc"])
        #expect(collected.output.contains(neighbour.nixPath), "\(collected.output)")
        let info = try neighbour.keel(["store", "info", neighbour.nixPath])
        #expect(info.status == 1)  // No longer valid for keel...
        try neighbour.expectNixStoreIntact("after gc of a borrowed path")  // ...and still whole for nix.
    }

    @Test("an entry of another tool under a path's name with other content is refused, not replaced")
    func refusesToReplaceForeignEntry() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("content\n".utf8))
        let path = try fixture.store.add(tree)
        let full = fixture.store.fullPath(path)
        _ = try fixture.store.delete([path])
        try TestFiles.write(full, Array("another tool's\n".utf8))  // Not canonical, not Keel's.
        let error = #expect(throws: StoreError.self) { try fixture.store.add(tree) }
        #expect(error?.description.contains("was not made by Keel") == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: full, encoding: .utf8) == "another tool's\n")
    }

    @Test("a store directory claimed by another keel root is refused, naming its database")
    func anotherRootsStore() throws {
        let fixture = try StoreFixture()
        let layout = try StoreLayout(
            root: fixture.temporary.appending("second"), storeDirectory: fixture.store.layout.storeDirectory)
        for adopt in [false, true] {
            let error = #expect(throws: StoreError.self) { try LocalStore(layout: layout, adoptStoreDirectory: adopt) }
            #expect(error?.description.contains("belongs to another Keel root") == true)
            #expect(error?.description.contains(fixture.store.layout.databasePath) == true)
        }
    }

    @Test("a store directory that holds only what this root registered is claimed without adoption")
    func reclaimsOwnStore() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("content\n".utf8))
        let path = try fixture.store.add(tree)
        let marker = fixture.store.layout.storeDirectory.path + "/.keel-store"
        try FileManager.default.removeItem(atPath: marker)  // As a store made before claims were.
        // An unregistered entry there (an interrupted earlier keel's, or another tool's) is not
        // taken for Keel's: the store is refused, saying how this can come about.
        let stray = fixture.store.layout.storeDirectory.path + "/8nnk8h887pfkfd2dbvlhw4mrws352dbf-stray"
        try TestFiles.write(stray, [1])
        let error = #expect(throws: StoreError.self) { try LocalStore(layout: fixture.store.layout) }
        #expect(error?.description.contains("before Keel claimed store directories") == true)
        try FileManager.default.removeItem(atPath: stray)
        let reopened = try LocalStore(layout: fixture.store.layout)
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try reopened.isValid(path))
    }
}

@Suite("Borrowed paths and interrupted collections", .ownThreads)
struct BorrowedAndKilledTests {
    @Test("an add finds another tool's canonical copy of its path and registers it in place; gc drops only the row")
    func borrowedByAdd() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree + "/d", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/d/f", Array("shared\n".utf8))
        let path = try fixture.store.add(tree)
        let full = fixture.store.fullPath(path)
        // The same tree, canonical, put back by another tool after Keel deleted the path.
        let elsewhere = fixture.temporary.appending("elsewhere")
        try FileManager.default.moveItem(atPath: full, toPath: elsewhere)
        _ = try fixture.store.delete([path])
        try FileManager.default.moveItem(atPath: elsewhere, toPath: full)
        let before = try FileSystem.identity(of: Array(full.utf8))
        #expect(try fixture.store.add(tree) == path)
        #expect(try FileSystem.identity(of: Array(full.utf8)) == before)  // Registered where it was.
        #expect(try fixture.store.borrowedPaths() == [full])
        let collected = try fixture.store.collectGarbage()
        #expect(collected.deleted == [path] && collected.bytesFreed == 0)
        #expect(FileManager.default.fileExists(atPath: full + "/d/f"))
        #expect(try fixture.store.borrowedPaths().isEmpty)
    }

    @Test("SIGKILL at random moments of keel store gc leaves every path valid and whole, or gone")
    func killedCollections() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fixture = try StoreFixture()
        let root = fixture.store.layout.root
        for round in 0..<6 {
            for index in 0..<60 {
                let tree = fixture.temporary.appending("r\(round)-\(index)")
                try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
                for file in 0..<4 { try TestFiles.write("\(tree)/f\(file)", Array("\(round) \(index) \(file)".utf8)) }
                try fixture.store.add(tree)
            }
            try KeelBinary.runKilled(
                ["store", "gc", "--root", root], afterMicroseconds: UInt32.random(in: 0...80_000, using: &random))
            let store = try LocalStore(layout: fixture.store.layout)
            #expect(try store.verify(checkContents: true).isEmpty, "seed \(seed), round \(round)")
            _ = try store.collectGarbage()
            #expect(try store.pendingPaths().isEmpty, "seed \(seed), round \(round)")
            #expect(try fixture.strayEntries(in: store).isEmpty, "seed \(seed), round \(round)")
            #expect(try store.validPaths().isEmpty)
        }
    }
}
