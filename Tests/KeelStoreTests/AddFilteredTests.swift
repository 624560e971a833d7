import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import SystemPackage
import Testing

@Suite("Adding source trees less their ignored entries", .ownThreads)
struct AddFilteredTests {
    @Test("a filtered tree gets the path nix gives a copy with the ignored entries deleted, with canonical files")
    func matchesNixOnDeletedCopy() throws {
        let fixture = try StoreFixture()
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        let tree = fixture.temporary.appending("agent")
        try makeSampleTree(at: tree)
        let path = try fixture.store.add(tree, filter: SourceTreeFilter())

        let copy = fixture.temporary.appending("copy")
        #expect(try ProcessRunner.run("cp", ["-a", tree, copy]).status == 0)
        for ignored in [".git", "build", "debug.log", "src/generated.c", "src/scratch", "notes.tmp", "docs/private"] {
            TemporaryDirectory.removeTree(copy + "/" + ignored)
        }
        let expected = try nix.output("nix", ["store", "add-path", "--dry-run", "--name", "agent", copy])
        #expect(fixture.store.fullPath(path) == expected)
        #expect(FileManager.default.fileExists(atPath: fixture.store.fullPath(path) + "/keep.log"))
        #expect(!FileManager.default.fileExists(atPath: fixture.store.fullPath(path) + "/debug.log"))
        let info = try fixture.store.info(path)
        let (hash, size) = try TreeDumper.hash(path: fixture.store.fullPath(path))
        #expect(info.narHash == hash && info.narSize == size)
        #expect(info.contentAddress == ContentAddress(method: .recursive, hash: hash))
        #expect(info.references.isEmpty && info.deriver == nil)
        #expect(try TreeDumper.hash(path: copy) == (hash, size))
        try expectCanonical(fixture.store.fullPath(path))
        #expect(try fixture.store.add(tree, name: "other", filter: SourceTreeFilter()).name == "other")
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("random trees with ignore files get nix's path for the filtered NAR's tree")
    func randomTreesMatchNix() throws {
        let seed = testSeed()
        let fixture = try StoreFixture()
        let nix = try NixOracle(
            root: fixture.temporary.appending("nix"), storeDirectory: fixture.store.layout.storeDirectory.path)
        var generator = RandomTree(seed: seed)
        var random = SeededGenerator(seed: seed)
        let patterns = ["*.txt", "a", "!b", "/B", ".hidden", "*star?", "ünïcødé", "[ab]", "**/x.drv", "with space/"]
        for index in 0..<12 {
            let tree = fixture.temporary.appending("t\(index)")
            try generator.make(at: tree)
            if (try? FileSystem.status(of: Array(tree.utf8)).kind) == .directory {
                let chosen = patterns.filter { _ in Bool.random(using: &random) }
                try TestFiles.write(tree + "/.gitignore", Array(chosen.joined(separator: "\n").utf8))
            }
            let path = try fixture.store.add(tree, filter: SourceTreeFilter())
            let restored = fixture.temporary.appending("restored\(index)")
            let nar = try TreeDumper.consume(path: tree, filter: SourceTreeFilter(), with: CollectingConsumer()).bytes
            try nix.run("nix-store", ["--restore", restored], input: nar)
            let expected = try nix.output("nix", ["store", "add-path", "--dry-run", "--name", "t\(index)", restored])
            #expect(fixture.store.fullPath(path) == expected, "seed \(seed), t\(index)")
            #expect(try fixture.store.add(tree, filter: SourceTreeFilter()) == path)
        }
        #expect(try fixture.strayEntries().isEmpty)
    }

    @Test("with no ignore files, the filtered add gives the unfiltered add's path")
    func noIgnoreFiles() throws {
        let seed = testSeed()
        let fixture = try StoreFixture()
        var generator = RandomTree(seed: seed)
        for index in 0..<6 {
            let tree = fixture.temporary.appending("t\(index)")
            try generator.make(at: tree)
            // Either add may come first: the second finds the first's path valid.
            let filteredFirst = index.isMultiple(of: 2)
            let first =
                try filteredFirst ? fixture.store.add(tree, filter: SourceTreeFilter()) : fixture.store.add(tree)
            let second =
                try filteredFirst ? fixture.store.add(tree) : fixture.store.add(tree, filter: SourceTreeFilter())
            #expect(first == second, "seed \(seed), t\(index)")
        }
        #expect(try fixture.store.validPaths().count == 6)
    }

    @Test("an already valid filtered path writes nothing, whatever its ignored files hold")
    func alreadyValidWritesNothing() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("agent")
        try makeSampleTree(at: tree)
        let path = try fixture.store.add(tree, filter: SourceTreeFilter())
        let before = try storeEntries(fixture.store)
        TemporaryDirectory.removeTree(tree + "/debug.log")
        try TestFiles.write(tree + "/debug.log", Array("different ignored contents".utf8))
        try TestFiles.write(tree + "/build/new-output", [1, 2, 3])
        #expect(try fixture.store.add(tree, filter: SourceTreeFilter()) == path)
        #expect(try storeEntries(fixture.store) == before)
    }

    @Test("a special file is refused with its name unless it is ignored; nothing is left behind")
    func specialFiles() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try FileManager.default.createDirectory(atPath: tree + "/ignored", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/.gitignore", Array("ignored/\n*.pipe\n".utf8))
        #expect(mkfifo(tree + "/ignored/fifo", 0o644) == 0)
        #expect(mkfifo(tree + "/skipped.pipe", 0o644) == 0)
        let path = try fixture.store.add(tree, filter: SourceTreeFilter())
        #expect(try fixture.store.isValid(path))
        #expect(mkfifo(tree + "/kept-fifo", 0o644) == 0)
        let error = #expect(throws: StoreError.self) { try fixture.store.add(tree, filter: SourceTreeFilter()) }
        #expect(error?.description == "file '\(tree)/kept-fifo' has an unsupported type")
        #expect(throws: StoreError.self) { try fixture.store.add(tree, name: "bad name", filter: SourceTreeFilter()) }
        #expect(try fixture.strayEntries().isEmpty)
        #expect(try fixture.store.validPaths() == [path])
    }

    /// A tree with `.gitignore` and `.keelignore` files at two levels and a `.git` directory.
    func makeSampleTree(at tree: String) throws {
        for directory in ["", "/.git", "/build", "/src/scratch", "/docs/private", "/docs/public"] {
            try FileManager.default.createDirectory(atPath: tree + directory, withIntermediateDirectories: true)
        }
        let files: [(String, String, UInt32)] = [
            (".gitignore", "build/\n*.log\n!keep.log\n*.tmp\n", 0o644),
            (".keelignore", "docs/private/\n", 0o644),
            ("src/.gitignore", "generated.c\nscratch/\n", 0o644),
            (".git/HEAD", "ref: refs/heads/main\n", 0o644),
            ("build/out", "binary", 0o755),
            ("debug.log", "noise", 0o644),
            ("keep.log", "kept", 0o644),
            ("notes.tmp", "tmp", 0o644),
            ("run.sh", "#!/bin/sh\n", 0o755),
            ("src/main.c", "int main(void) { return 0; }\n", 0o644),
            ("src/generated.c", "generated", 0o644),
            ("src/scratch/x", "x", 0o644),
            ("docs/private/secret", "s", 0o600),
            ("docs/public/readme", "r", 0o444),
        ]
        for (name, contents, mode) in files {
            try TestFiles.write(tree + "/" + name, Array(contents.utf8), permissions: mode)
        }
        try FileManager.default.createSymbolicLink(atPath: tree + "/link", withDestinationPath: "src/main.c")
    }

    /// The store directory's entries and their identities.
    func storeEntries(_ store: LocalStore) throws -> [String: EntryIdentity] {
        let directory = store.layout.storeDirectory.path
        var entries: [String: EntryIdentity] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            entries[name] = try FileSystem.identity(of: Array((directory + "/" + name).utf8))
        }
        return entries
    }

    /// Checks modes and times of every object under `path`.
    func expectCanonical(_ path: String) throws {
        let info = try FileSystem.status(of: Array(path.utf8))
        #expect(info.modificationTime == 1, "\(path) mtime")
        switch info.kind {
        case .directory:
            #expect(info.permissions == 0o555, "\(path) mode")
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                try expectCanonical(path + "/" + name)
            }
        case .regular:
            #expect(info.permissions == 0o444 || info.permissions == 0o555, "\(path) mode")
        default:
            break
        }
    }
}

/// Keeps a whole stream in memory.
private struct CollectingConsumer: ChunkConsumer {
    var bytes: [UInt8] = []

    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws { bytes += chunk }
    mutating func finish() throws {}
}
