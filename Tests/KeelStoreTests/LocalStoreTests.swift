import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import Synchronization
import SystemPackage
import Testing

/// A fresh store under a temporary root.
final class StoreFixture {
    let temporary: TemporaryDirectory
    let store: LocalStore

    init(storeDirectory: String? = nil) throws {
        temporary = try TemporaryDirectory()
        let directory = try storeDirectory.map { try StoreDirectory($0) }
        store = try LocalStore(layout: StoreLayout(root: temporary.appending("root"), storeDirectory: directory))
    }

    deinit { temporary.remove() }

    /// Entries of the store directory other than valid store paths, the claim marker, and
    /// `.links`, which the nix oracle creates when it opens the same store directory.
    func strayEntries(in reopened: LocalStore? = nil) throws -> [String] {
        let store = reopened ?? self.store
        let directory = store.layout.storeDirectory.path
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            if name == ".links" || name == ".keel-store" { return false }
            guard let path = try? StorePath(baseName: name) else { return true }
            return (try? store.isValid(path)) != true
        }
    }
}

@Suite("The local store", .ownThreads)
struct LocalStoreTests {
    @Test("added trees get nix's store paths, canonical files, and metadata; adding again is a no-op")
    func addMatchesNix() throws {
        let seed = testSeed()
        let fixture = try StoreFixture()
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        var generator = RandomTree(seed: seed)
        for index in 0..<30 {
            let tree = fixture.temporary.appending("t\(index)")
            try generator.make(at: tree)
            let path = try fixture.store.add(tree)
            let expected = try nix.output("nix", ["store", "add-path", "--dry-run", tree])
            #expect(fixture.store.fullPath(path) == expected, "seed \(seed), t\(index)")
            #expect(try fixture.store.add(tree) == path)
            let info = try fixture.store.info(path)
            let (hash, size) = try TreeDumper.hash(path: fixture.store.fullPath(path))
            #expect(info.narHash == hash && info.narSize == size, "seed \(seed), t\(index)")
            #expect(info.contentAddress == ContentAddress(method: .recursive, hash: hash))
            #expect(info.references.isEmpty && info.deriver == nil)
            try expectCanonical(fixture.store.fullPath(path))
        }
        let stray = try fixture.strayEntries()
        #expect(stray.isEmpty, "\(stray)")
    }

    /// Checks modes and times of every object under `path` (names as raw bytes).
    func expectCanonical(_ path: String) throws {
        try expectCanonical(Array(path.utf8), in: FileSystem.currentDirectory, label: path)
    }

    func expectCanonical(_ name: [UInt8], in parent: FileDescriptor, label: String) throws {
        let info = try FileSystem.status(of: name, in: parent)
        #expect(info.modificationTime == 1, "\(label) mtime")
        switch info.kind {
        case .directory:
            #expect(info.permissions == 0o555, "\(label) mode")
            let directory = try FileSystem.openDirectory(name, in: parent)
            defer { FileSystem.close(directory) }
            for entry in try DirectoryListing.read(directory) {
                try expectCanonical(entry.name, in: directory, label: label + "/" + FileSystem.display(entry.name))
            }
        case .regular:
            #expect(info.permissions == 0o444 || info.permissions == 0o555, "\(label) mode")
        default:
            break
        }
    }

    @Test("special files are refused with the file's name, and nothing is left behind")
    func refusesSpecialFiles() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/a", [1, 2, 3])
        #expect(mkfifo(tree + "/sub/pipe", 0o644) == 0)
        let error = #expect(throws: StoreError.self) { try fixture.store.add(tree) }
        #expect(error?.description == "file '\(tree)/sub/pipe' has an unsupported type")
        #expect(try fixture.strayEntries().isEmpty)
        #expect(throws: StoreError.self) { try fixture.store.add(tree + "/a", name: "bad name") }
    }

    @Test(
        "after a process died with the store open, opening it removes Keel's temporary and pending leftovers, and nothing else"
    )
    func removesLeftovers() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("kept\n".utf8))
        let kept = try fixture.store.add(tree)
        let directory = fixture.store.layout.storeDirectory.path
        let pending = try fixture.store.storePath(directory + "/8nnk8h887pfkfd2dbvlhw4mrws352dbf-pending")
        let foreign = "9nnk8h887pfkfd2dbvlhw4mrws352dbf-foreign"
        try FileManager.default.createDirectory(atPath: directory + "/.keel-tmp-abc", withIntermediateDirectories: true)
        try TestFiles.write(fixture.store.fullPath(pending), [1])
        try fixture.store.recordPending([
            (pending, try FileSystem.identity(of: Array(fixture.store.fullPath(pending).utf8)))
        ])
        // A path Keel recorded whose tree another tool replaced since (same name, another
        // identity) is not Keel's to remove.
        let replaced = try fixture.store.storePath(directory + "/7nnk8h887pfkfd2dbvlhw4mrws352dbf-replaced")
        try TestFiles.write(fixture.store.fullPath(replaced), [3])
        try fixture.store.recordPending([
            (replaced, try FileSystem.identity(of: Array(fixture.store.fullPath(replaced).utf8)))
        ])
        try FileManager.default.removeItem(atPath: fixture.store.fullPath(replaced))
        try TestFiles.write(fixture.store.fullPath(replaced), [4])
        // A valid path whose name ends in .lock is a store path, not a lock file.
        let lockNamed = fixture.temporary.appending("empty.lock")
        try TestFiles.write(lockNamed, [])
        let validLockNamed = try fixture.store.add(lockNamed)
        try TestFiles.write(directory + "/" + foreign, [2])
        try TestFiles.write(directory + "/" + foreign + ".lock", [])  // Abandoned: nobody holds it.
        // Marked stale by a holder that died before unlinking it.
        try TestFiles.write(directory + "/" + kept.baseName + ".lock", Array("d".utf8))
        // One byte that is not the stale mark: not a lock file Keel can prove abandoned.
        let oddLock = foreign + "-odd.lock"
        try TestFiles.write(directory + "/" + oddLock, Array("x".utf8))
        // No process died: opening the store does not scan the store directory.
        _ = try LocalStore(layout: fixture.store.layout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 10)
        // A marker nobody holds is what a process killed with the store open leaves.
        try TestFiles.write(fixture.store.layout.root + "/db/active/12345-dead", [])
        _ = try LocalStore(layout: fixture.store.layout)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(
            left
                == [".keel-store", foreign, oddLock, kept.baseName, replaced.baseName, validLockNamed.baseName].sorted()
        )
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.store.fullPath(replaced))) == Data([4]))
        #expect(!FileManager.default.fileExists(atPath: fixture.store.layout.root + "/db/active/12345-dead"))
    }

    @Test("a lock file marked stale by a holder killed before unlinking it is taken over, not waited on forever")
    func staleMarkedLockFile() throws {
        let fixture = try StoreFixture()
        let directory = fixture.store.layout.storeDirectory.path
        let path = try StorePath(baseName: "8nnk8h887pfkfd2dbvlhw4mrws352dbf-locked")
        let lockFile = directory + "/" + path.baseName + ".lock"
        try TestFiles.write(lockFile, Array("d".utf8))
        let store = fixture.store
        let other = try StorePath(baseName: "9nnk8h887pfkfd2dbvlhw4mrws352dbf-other")
        let finished = DispatchSemaphore(value: 0)
        let failure = ConcurrentResults()
        Thread.detachNewThread {
            do { try store.lockPaths([path, other]).forEach { $0.release() } } catch { failure.append(nil) }
            finished.signal()
        }
        // A guard against a hang, not a timing: taking a free lock takes microseconds.
        #expect(finished.wait(timeout: .now() + 60) == .success, "the lock was never taken")
        #expect(failure.all.isEmpty)
        // The lock was released and its file removed, as after any lock, and nothing of the
        // store directory stays open.
        #expect(!FileManager.default.fileExists(atPath: lockFile))
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)
        }
        #expect(!open.contains(directory))
        // Data that is not the stale mark: not a lock file; refused, left alone, not waited on.
        try TestFiles.write(lockFile, Array("not a lock".utf8))
        #expect(throws: StoreError.self) { try store.lockPaths([path]) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: lockFile)) == Data("not a lock".utf8))
    }

    @Test("a waiter on a lock file whose holder unlinked it and died before marking it starts over")
    func unlinkedLockFile() throws {
        let fixture = try StoreFixture()
        let path = try StorePath(baseName: "8nnk8h887pfkfd2dbvlhw4mrws352dbf-locked")
        let lockFile = fixture.store.layout.storeDirectory.path + "/" + path.baseName + ".lock"
        // The holder: a lock file, locked.
        let holder = try FileSystem.openOrCreate(Array(lockFile.utf8), permissions: 0o600)
        var holderOpen = true
        defer { if holderOpen { FileSystem.close(holder) } }
        try FileSystem.lock(holder)
        let status = try FileSystem.status(of: holder)
        // How /proc/locks names the file: MAJOR:MINOR:INODE, the device numbers in hex.
        let major = ((status.device >> 8) & 0xfff) | ((status.device >> 32) & ~0xfff)
        let minor = (status.device & 0xff) | ((status.device >> 12) & ~0xff)
        let file = String(format: "%02llx:%02llx:%llu ", major, minor, status.inode)
        let store = fixture.store
        let finished = DispatchSemaphore(value: 0)
        let named = Mutex<UInt64?>(nil)
        Thread.detachNewThread {
            if let locks = try? store.lockPaths([path]) {
                named.withLock { $0 = (try? FileSystem.status(of: Array(lockFile.utf8)))?.inode }
                locks.forEach { $0.release() }
            }
            finished.signal()
        }
        // Once the waiter is blocked on the holder's file (its request shows in /proc/locks),
        // the holder is "killed" between the two steps of Nix's release: name removed, no mark.
        var blocked = false
        var polls = 0
        while !blocked && polls < 10_000 {
            let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
            blocked = locks.split(separator: "\n").contains {
                $0.contains("->") && $0.contains(" \(getpid()) ") && $0.contains(" " + file)
            }
            if !blocked { usleep(1000) }
            polls += 1
        }
        #expect(blocked, "the waiter never blocked on the lock")
        try FileSystem.remove(Array(lockFile.utf8), in: FileSystem.currentDirectory, isDirectory: false)
        FileSystem.close(holder)
        holderOpen = false
        #expect(finished.wait(timeout: .now() + 60) == .success, "the lock was never taken")
        // It held a fresh lock file under the name, not the unnamed one (whose inode number the
        // fresh file may reuse, once the unnamed one is closed).
        #expect(named.withLock { $0 } != nil)
    }

    @Test("closure and referrers follow references registered in the database")
    func closureAndReferrers() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("x".utf8))
        let path = try fixture.store.add(tree)
        #expect(try fixture.store.closure(of: [path]) == [path])
        #expect(try fixture.store.referrers(of: path).isEmpty)
        let missing = try StorePath(baseName: "8nnk8h887pfkfd2dbvlhw4mrws352dbf-missing")
        #expect(throws: StoreError.self) { try fixture.store.closure(of: [missing]) }
        #expect(throws: StoreError.self) { try fixture.store.info(missing) }
    }

    @Test("processes adding the same tree at once produce one valid copy")
    func concurrentAdds() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        var generator = RandomTree(seed: 11)
        try generator.make(at: tree)
        for index in 0..<200 {
            try TestFiles.write(tree + "-big-\(index)", [UInt8](repeating: UInt8(index), count: 1000))
        }
        let root = fixture.store.layout.root
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let result = try? KeelBinary.run(["store", "add", tree, "--root", root])
            results.append(result)
        }
        let outputs = results.all.compactMap { $0 }.filter { $0.status == 0 }.map(\.output)
        #expect(outputs.count == 4)
        #expect(Set(outputs).count == 1)
        let reopened = try LocalStore(layout: fixture.store.layout)
        let path = try reopened.storePath(outputs[0].trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try reopened.isValid(path))
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("SIGKILL at random moments of keel store add never leaves a broken or stray path")
    func killedAdds() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let fixture = try StoreFixture()
        let root = fixture.store.layout.root
        for round in 0..<50 {
            let tree = fixture.temporary.appending("tree\(round)")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            for index in 0..<300 {
                try TestFiles.write("\(tree)/f\(index)", random.bytes(Int.random(in: 0...4000, using: &random)))
            }
            try KeelBinary.runKilled(
                ["store", "add", tree, "--root", root], afterMicroseconds: UInt32.random(in: 0...60_000, using: &random)
            )
        }
        let store = try LocalStore(layout: fixture.store.layout)
        #expect(try store.pendingPaths().isEmpty && store.borrowedPaths().isEmpty)
        #expect(try fixture.strayEntries().isEmpty, "seed \(seed)")
        for name in try FileManager.default.contentsOfDirectory(atPath: store.layout.storeDirectory.path)
        where name != ".keel-store" {
            let path = try StorePath(baseName: name)
            let info = try store.info(path)
            let (hash, size) = try TreeDumper.hash(path: store.fullPath(path))
            #expect(info.narHash == hash && info.narSize == size, "seed \(seed): \(name)")
            try expectCanonical(store.fullPath(path))
        }
    }
}

/// Results collected from concurrent work.
final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ProcessResult?] = []

    func append(_ result: ProcessResult?) { lock.withLock { results.append(result) } }
    var all: [ProcessResult?] { lock.withLock { results } }
}

extension LocalStoreTests {
    @Test("queries over lists of paths work in a store directory named with quotes, backslashes, spaces and a tab")
    func awkwardStoreDirectory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = try StoreDirectory(temporary.appending("a \"quoted\" \\ dir\twith a tab/store"))
        let store = try LocalStore(layout: StoreLayout(root: temporary.appending("root"), storeDirectory: directory))
        let base = try store.addText(name: "base", contents: Array("base\n".utf8), references: [])
        let middle = try store.addText(name: "middle", contents: Array("middle\n".utf8), references: [base])
        let top = try store.addText(name: "top", contents: Array("top\n".utf8), references: [middle, base])
        let unrelated = try store.addText(name: "unrelated", contents: Array("other\n".utf8), references: [top])

        #expect(try store.closure(of: [top]) == [top, middle, base])
        #expect(try store.validSubset(of: [base, unrelated]) == [base, unrelated])
        // Infos read together are the infos read one by one, in the order asked.
        let together = try store.infos(of: [top, unrelated, base, middle])
        let oneByOne = try [top, unrelated, base, middle].map { try store.info($0) }
        #expect(together.map(\.path) == oneByOne.map(\.path))
        #expect(together.map(\.narHash) == oneByOne.map(\.narHash))
        #expect(together.map { Set($0.references) } == oneByOne.map { Set($0.references) })
        #expect(together[0].references.count == 2)
        let gone = try StorePath(baseName: "8nnk8h887pfkfd2dbvlhw4mrws352dbf-gone")
        #expect(throws: StoreError.self) { try store.infos(of: [base, gone]) }
        // A closure with its infos in one read: what the two queries give, by base name.
        #expect(try store.closureInfos(of: [top]) == store.infos(of: try store.closure(of: [top]).sorted()))
        #expect(try store.closureInfos(of: [unrelated, base]).map(\.path) == [unrelated, top, middle, base].sorted())
        #expect(throws: StoreError.self) { try store.closureInfos(of: [base, gone]) }
        // Only the references among the named paths order them; `unrelated` refers to `top` but
        // is not named, so it plays no part.
        #expect(try store.dependencyOrder([top, base, middle]) == [base, middle, top])
        #expect(try store.dependencyOrder([top, base]) == [base, top])
        #expect(try store.hasValidPath(named: "middle"))
        #expect(try !store.hasValidPath(named: "midd"))
        #expect(try !store.hasValidPath(named: "iddle"))
        #expect(try !store.hasValidPath(named: "absent"))
        // A hash part finds its path, and only a whole one does.
        #expect(try store.validPath(hashPart: middle.hashPart) == middle)
        #expect(try store.validPath(hashPart: gone.hashPart) == nil)
        #expect(try store.validPath(hashPart: String(middle.hashPart.dropLast())) == nil)
        let collected = try store.delete([unrelated, top])
        #expect(Set(collected.deleted) == [unrelated, top])
        #expect(try store.validPaths() == [base, middle].sorted())
    }
}

extension LocalStoreTests {
    @Test("a store opens under missing parents and through a symlinked root; a file in the way is named")
    func rootDirectories() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let deep = try LocalStore(layout: StoreLayout(root: temporary.appending("a/b/c/root"), storeDirectory: nil))
        #expect(FileManager.default.fileExists(atPath: deep.layout.storeDirectory.path))
        try FileManager.default.createSymbolicLink(
            atPath: temporary.appending("link"), withDestinationPath: "a/b/c/root")
        let linked = try LocalStore(layout: StoreLayout(root: temporary.appending("link"), storeDirectory: nil))
        let file = temporary.appending("file")
        try TestFiles.write(file, Array("x".utf8))
        let path = try linked.add(file)
        // The same directories: the path added through the link is in the deep root's store.
        #expect(FileManager.default.fileExists(atPath: deep.layout.storeDirectory.path + "/" + path.baseName))
        let error = #expect(throws: StoreError.self) {
            try LocalStore(layout: StoreLayout(root: temporary.appending("file/root"), storeDirectory: nil))
        }
        #expect(error?.description.contains(temporary.appending("file/root")) == true, "\(String(describing: error))")
    }
}

extension LocalStoreTests {
    @Test("a new name, a new version under a known name, and known content under a new name all get nix's paths")
    func namesAndVersions() throws {
        let fixture = try StoreFixture()
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        let tree = fixture.temporary.appending("agent")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        var added: [StorePath] = []
        for version in 0..<3 {
            // Copied without hashing first (version 0: no path named "agent"), then hashed first.
            for file in ["version", "data"] { try? FileManager.default.removeItem(atPath: tree + "/" + file) }
            try TestFiles.write(tree + "/version", Array("version \(version)\n".utf8))
            try TestFiles.write(tree + "/data", [UInt8](repeating: UInt8(version), count: 5000))
            let path = try fixture.store.add(tree)
            #expect(fixture.store.fullPath(path) == (try nix.output("nix", ["store", "add-path", "--dry-run", tree])))
            added.append(path)
        }
        #expect(Set(added).count == 3)
        #expect(try fixture.store.add(tree) == added[2], "the current version is already valid")
        let renamed = try fixture.store.add(tree, name: "renamed")
        #expect(renamed != added[2] && renamed.name == "renamed")
        #expect(
            fixture.store.fullPath(renamed)
                == (try nix.output("nix", ["store", "add-path", "--dry-run", "--name", "renamed", tree])))
        for path in added + [renamed] {
            let (hash, size) = try TreeDumper.hash(path: fixture.store.fullPath(path))
            let info = try fixture.store.info(path)
            #expect(info.narHash == hash && info.narSize == size)
        }
        #expect(try fixture.strayEntries().isEmpty)
    }
}
