import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import SystemPackage
import Testing

@Suite("Garbage collection, deletion and verification", .ownThreads)
struct CollectionTests {
    /// A store holding nix's closure of `top` (dep ← multi, multi-dev ← top), plus loose paths.
    func populated() throws -> (StoreFixture, [String: StorePath], [StorePath]) {
        let fixture = try StoreFixture()
        let (nix, nixStore, closure) = try ExportImportTests().buildWithNix(fixture)
        let stream = try nix.run("nix-store", ["--store", nixStore, "--export"] + closure).standardOutput
        var named: [String: StorePath] = [:]
        for path in try fixture.store.importPaths(from: ArrayByteSource(stream)) {
            named[String(path.name)] = path
        }
        var loose: [StorePath] = []
        for index in 0..<5 {
            let file = fixture.temporary.appending("loose\(index)")
            try TestFiles.write(file, Array("loose \(index)\n".utf8))
            loose.append(try fixture.store.add(file))
        }
        return (fixture, named, loose)
    }

    func root(_ fixture: StoreFixture, _ path: StorePath, as name: String) throws {
        try FileManager.default.createSymbolicLink(
            atPath: fixture.store.layout.gcRootsDirectory + "/" + name,
            withDestinationPath: fixture.store.fullPath(path))
    }

    @Test("gc deletes exactly what no root reaches, referrers first; dry runs delete nothing")
    func collects() throws {
        let (fixture, named, loose) = try populated()
        let top = try #require(named["top"])
        try root(fixture, top, as: "top")
        try root(fixture, loose[0], as: "loose")
        let dry = try fixture.store.collectGarbage(dryRun: true)
        #expect(Set(dry.deleted) == Set(loose.dropFirst()))
        #expect(try fixture.store.validPaths().count == named.count + loose.count)

        let result = try fixture.store.collectGarbage()
        #expect(Set(result.deleted) == Set(loose.dropFirst()))
        #expect(result.bytesFreed > 0)
        #expect(Set(try fixture.store.validPaths()) == Set(named.values).union([loose[0]]))

        try FileManager.default.removeItem(atPath: fixture.store.layout.gcRootsDirectory + "/top")
        let second = try fixture.store.collectGarbage()
        #expect(Set(second.deleted) == Set(named.values))
        let position = { (name: String) in second.deleted.firstIndex(of: named[name]!)! }
        #expect(position("top") < position("multi-dev") && position("multi") < position("dep"), "referrers first")
        #expect(try fixture.store.validPaths() == [loose[0]])
        #expect(try fixture.strayEntries().isEmpty)
        #expect(try fixture.store.verify(checkContents: true).isEmpty)
    }

    @Test("gc --max-freed stops early and leaves a consistent store")
    func maxFreed() throws {
        let (fixture, named, loose) = try populated()
        let result = try fixture.store.collectGarbage(maxFreed: 1)
        #expect(result.deleted.count == 1)
        let unreferenced = Set(loose + [named["top"]!])
        #expect(result.deleted.allSatisfy(unreferenced.contains), "a path nothing refers to goes first")
        #expect(try fixture.store.verify(checkContents: true).isEmpty)
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("delete refuses referenced or rooted paths and names what holds them")
    func deleteRefuses() throws {
        let (fixture, named, loose) = try populated()
        let dep = try #require(named["dep"])
        let error = #expect(throws: StoreError.self) { try fixture.store.delete([dep]) }
        #expect(error?.description.contains("still referenced by") == true, "\(error?.description ?? "")")
        try root(fixture, loose[1], as: "pinned")
        let rooted = #expect(throws: StoreError.self) { try fixture.store.delete([loose[1]]) }
        #expect(
            rooted?.description.contains("kept alive by the root '\(fixture.store.layout.gcRootsDirectory)/pinned'")
                == true)
        #expect(try fixture.store.delete([loose[2]]).deleted == [loose[2]])
        let closure = try fixture.store.closure(of: [named["top"]!])
        #expect(Set(try fixture.store.delete(Array(closure)).deleted) == closure, "a whole closure can go at once")
        #expect(try fixture.store.verify(checkContents: true).isEmpty)
    }

    @Test("verify reports a changed and a missing path")
    func verifyFindsDamage() throws {
        let (fixture, _, loose) = try populated()
        #expect(try fixture.store.verify(checkContents: true).isEmpty)
        let changed = fixture.store.fullPath(loose[0])
        chmod(changed, 0o644)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: changed))
        TemporaryDirectory.removeTree(fixture.store.fullPath(loose[1]))
        let problems = try fixture.store.verify(checkContents: true)
        #expect(problems.map(\.path) == [loose[0], loose[1]].sorted())
        #expect(problems.contains { $0.reason.hasPrefix("contents changed") })
        #expect(problems.contains { $0.reason == "missing from the store directory" })
        #expect(try fixture.store.verify(checkContents: false).map(\.path) == [loose[1]])
    }

    @Test("gc running beside adds never leaves a half-deleted or broken path")
    func gcBesideAdds() throws {
        let fixture = try StoreFixture()
        let root = fixture.store.layout.root
        var trees: [String] = []
        for index in 0..<12 {
            let tree = fixture.temporary.appending("tree\(index)")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            for file in 0..<100 { try TestFiles.write("\(tree)/f\(file)", Array("\(index) \(file)".utf8)) }
            trees.append(tree)
        }
        let results = ConcurrentResults()
        let jobs = trees.map { ["store", "add", $0] } + Array(repeating: ["store", "gc"], count: 4)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let arguments = jobs[index]
            results.append(try? KeelBinary.run(arguments + ["--root", root]))
        }
        #expect(results.all.allSatisfy { $0?.status == 0 }, "\(results.all.compactMap { $0?.errorOutput })")
        let store = try LocalStore(layout: fixture.store.layout)
        #expect(try store.verify(checkContents: true).isEmpty)
        #expect(try fixture.strayEntries(in: store).isEmpty)
    }

    @Test("gc waits for an add in progress and an add waits for a gc in progress, each saying so")
    func waitsAreAnnounced() throws {
        let fixture = try StoreFixture()
        let root = fixture.store.layout.root
        let file = fixture.temporary.appending("waiting")
        try TestFiles.write(file, Array("waiting\n".utf8))

        // Holds the lock file a collection takes exclusive, and adds, imports and builds shared;
        // closing the descriptor releases it.
        func holdLock(exclusive: Bool) throws -> FileDescriptor {
            let fd = try FileSystem.openOrCreate(Array((root + "/db/gc.lock").utf8), permissions: 0o600)
            try FileSystem.lock(fd, exclusive: exclusive)
            return fd
        }

        // This process stands in for an add in progress.
        let adding = try holdLock(exclusive: false)
        let collection = try BackgroundKeel(["store", "gc", "--root", root])
        #expect(collection.waitForStandardError(containing: "waiting for other keel processes to finish adding"))
        #expect(collection.isRunning)
        FileSystem.close(adding)
        #expect(collection.finish().status == 0)

        // And here for a collection in progress.
        let collecting = try holdLock(exclusive: true)
        let add = try BackgroundKeel(["store", "add", file, "--root", root])
        #expect(add.waitForStandardError(containing: "waiting for a garbage collection in progress to finish"))
        #expect(add.isRunning)
        FileSystem.close(collecting)
        let added = add.finish()
        #expect(added.status == 0)
        #expect(added.output.hasPrefix(fixture.store.layout.storeDirectory.path + "/"))
    }
}

@Suite("Optimising the store", .ownThreads)
struct OptimiseTests {
    @Test("identical files become one inode; hashes, modes and times stay; gc drops unused links")
    func optimise() throws {
        let fixture = try StoreFixture()
        var paths: [StorePath] = []
        for index in 0..<3 {
            let tree = fixture.temporary.appending("tree\(index)")
            try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
            try TestFiles.write(tree + "/sub/shared", [UInt8](repeating: 7, count: 5000))
            try TestFiles.write(tree + "/tool", [UInt8](repeating: 7, count: 5000), permissions: 0o755)
            try TestFiles.write(tree + "/own", Array("tree \(index)".utf8))
            paths.append(try fixture.store.add(tree))
        }
        let result = try fixture.store.optimise()
        #expect(result.filesLinked == 4, "two more copies each of 'shared' and of the executable 'tool'")
        #expect(result.bytesSaved == 20_000)
        let inode = { (path: String) throws -> UInt64 in try FileSystem.status(of: Array(path.utf8)).inode }
        let shared = try paths.map { try inode(fixture.store.fullPath($0) + "/sub/shared") }
        let tools = try paths.map { try inode(fixture.store.fullPath($0) + "/tool") }
        #expect(Set(shared).count == 1 && Set(tools).count == 1 && shared[0] != tools[0])
        #expect(try fixture.store.verify(checkContents: true).isEmpty)
        for path in paths { try LocalStoreTests().expectCanonical(fixture.store.fullPath(path)) }
        #expect(try fixture.store.optimise().filesLinked == 0, "a second run has nothing to do")

        _ = try fixture.store.collectGarbage()
        let links = fixture.store.layout.storeDirectory.path + "/.links"
        #expect(try FileManager.default.contentsOfDirectory(atPath: links).isEmpty)
    }
}

extension CollectionTests {
    @Test("a path only a profile generation reaches survives gc; once the generation is deleted it is collected")
    func profileGenerationsAreRoots() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("system")
        try TestFiles.write(tree, Array("a system\n".utf8))
        let system = try fixture.store.add(tree)
        let profiles = fixture.store.layout.profilesDirectory
        #expect(profiles == fixture.store.layout.root + "/profiles")
        #expect(try fixture.store.collectGarbage(dryRun: true).deleted == [system], "no profiles directory is fine")

        // The layout Keel's profile writes: a generation link, the profile link naming it
        // relatively, a records directory and a lock file.
        try FileManager.default.createDirectory(
            atPath: profiles + "/.system-generations", withIntermediateDirectories: true)
        try TestFiles.write(profiles + "/.system-generations/1.json", Array("{}".utf8))
        try TestFiles.write(profiles + "/system.lock", [])
        try FileManager.default.createSymbolicLink(
            atPath: profiles + "/system-1-link", withDestinationPath: fixture.store.fullPath(system))
        try FileManager.default.createSymbolicLink(atPath: profiles + "/system", withDestinationPath: "system-1-link")
        #expect(
            Set(try fixture.store.roots().map(\.location)) == [profiles + "/system", profiles + "/system-1-link"])
        #expect(try fixture.store.collectGarbage().deleted.isEmpty)
        #expect(try fixture.store.isValid(system))

        // Deleting the generation leaves the profile link dangling, which keeps nothing.
        try FileManager.default.removeItem(atPath: profiles + "/system-1-link")
        #expect(try fixture.store.collectGarbage().deleted == [system])
        #expect(try !fixture.store.isValid(system))
    }
}
