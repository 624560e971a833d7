import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelTesting
import SystemPackage
import Testing

@Suite("Ignore files (.gitignore, .keelignore) filtering source trees", .ownThreads)
struct IgnorePatternsTests {
    @Test("single patterns: last match wins, negation, directories only, anchoring, escapes and blanks")
    func singlePatterns() {
        func decide(_ text: String, _ path: String, directory: Bool = false) -> IgnoreDecision? {
            IgnorePatterns(parsing: Array(text.utf8)).decision(for: Array(path.utf8), isDirectory: directory)
        }
        #expect(decide("*.o\n", "deep/down/x.o") == .excluded)
        #expect(decide("*.o\n!keep.o\n", "keep.o") == .included)
        #expect(decide("!keep.o\n*.o\n", "keep.o") == .excluded)
        #expect(decide("build/\n", "build") == nil)
        #expect(decide("build/\n", "a/build", directory: true) == .excluded)
        #expect(decide("/top\n", "top") == .excluded)
        #expect(decide("/top\n", "a/top") == nil)
        #expect(decide("doc/*.txt\n", "doc/a.txt") == .excluded)
        #expect(decide("doc/*.txt\n", "doc/sub/a.txt") == nil)
        #expect(decide("doc/*.txt\n", "x/doc/a.txt") == nil)
        #expect(decide("a/**/b\n", "a/b") == .excluded)
        #expect(decide("a/**/b\n", "a/x/y/b") == .excluded)
        #expect(decide("**/b\n", "x/y/b") == .excluded)
        #expect(decide("a/**\n", "a") == nil)
        #expect(decide("a/**\n", "a/x/y") == .excluded)
        #expect(decide("trailing   \n", "trailing") == .excluded)
        #expect(decide("space\\ \n", "space ") == .excluded)
        #expect(decide("space\\ \n", "space") == nil)
        #expect(decide("\\#hash\n\\!bang\n", "#hash") == .excluded)
        #expect(decide("\\#hash\n\\!bang\n", "!bang") == .excluded)
        #expect(decide("# comment\n\n   \n", "# comment") == nil)
        #expect(decide("\u{FEFF}crlf\r\nlast", "crlf") == .excluded)
        #expect(decide("\u{FEFF}crlf\r\nlast", "last") == .excluded)
        #expect(decide("[!a-c]?\n", "dx") == .excluded)
        #expect(decide("[!a-c]?\n", "bx") == nil)
        #expect(decide("[[:digit:]]*\n", "7up") == .excluded)
        #expect(decide("unclosed[\n", "unclosed[") == nil)
        #expect(IgnorePatterns(parsing: Array("#\n!\n/\n \n".utf8)).isEmpty)
        let raw = IgnorePatterns(parsing: [0xFF, UInt8(ascii: "*"), UInt8(ascii: "\n")])
        #expect(raw.decision(for: [0xFF, 0xFE], isDirectory: false) == .excluded)
    }

    @Test("random pattern soup decides random paths as git check-ignore does, parent directories included")
    func randomPatternsAgainstCheckIgnore() throws {
        let seed = testSeed()
        var random = SeededGenerator(seed: seed)
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let git = try GitOracle(home: temporary.appending("git-home"))
        let repository = temporary.appending("repository")
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        try git.run(["init", "-q", "--template="], in: repository)
        let pieces = [
            "a", "b", "/", "*", "**", "?", "[", "]", "[!", "[^", "-", "\\", "[[:alpha:]]", "[[:punct:]", "[:", ":]",
            "a-", "-z]", "\\]", "[]", "[]a]", " ", "\\ ", "\r", "**/", "/**", "!", "#", "ü", "[ü]",
        ]
        let components = [
            "a", "b", "ab", "ba", "a b", "a ", "[a]", "a-b", "-", "]", "\\", "z", "A", "a.", "b:", "^", "a]", "ü",
            "a\r",
            "[", "!a", "#a", "x-z",
        ]
        for round in 0..<150 {
            var text = ""
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                for _ in 0..<Int.random(in: 1...8, using: &random) { text += pieces.randomElement(using: &random)! }
                text += "\n"
            }
            TemporaryDirectory.removeTree(repository + "/.gitignore")
            try TestFiles.write(repository + "/.gitignore", bytes(text))
            let patterns = IgnorePatterns(parsing: bytes(text))
            let paths = (0..<40).map { _ in
                (0..<Int.random(in: 1...3, using: &random)).map { _ in components.randomElement(using: &random)! }
            }
            let ignoredByGit = try git.ignored(paths.map { bytes($0.joined(separator: "/")) }, in: repository)
            for components in paths {
                // A path is ignored when it, or one of the directories above it, is excluded.
                let ignored = (1...components.count).contains { count in
                    let path = bytes(components[..<count].joined(separator: "/"))
                    return patterns.decision(for: path, isDirectory: count < components.count) == .excluded
                }
                let path = components.joined(separator: "/")
                #expect(
                    ignored == ignoredByGit.contains(bytes(path)),
                    "seed \(seed), round \(round): \(text.debugDescription) on \(path.debugDescription)")
            }
        }
    }

    @Test("hand-written trees keep exactly what git keeps")
    func handWrittenTrees() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        for (index, scenario) in IgnoreScenario.handWritten.enumerated() {
            let tree = temporary.appending("s\(index)")
            try scenario.make(at: tree)
            try expectSameAsGit(tree, in: temporary, label: "scenario \(index)")
        }
    }

    @Test("random trees with nested .gitignore files keep exactly what git keeps, and their NAR is the filtered copy's")
    func randomTrees() throws {
        let seed = testSeed()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        var generator = IgnoreTreeGenerator(seed: seed, keelIgnoreFiles: false)
        for index in 0..<40 {
            let tree = temporary.appending("r\(index)")
            try generator.make(at: tree)
            try expectSameAsGit(tree, in: temporary, label: "seed \(seed), r\(index)")
        }
    }

    @Test(".keelignore files apply after the .gitignore of their directory, as if appended to it")
    func keelIgnoreFiles() throws {
        let seed = testSeed()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        var generator = IgnoreTreeGenerator(seed: seed, keelIgnoreFiles: true)
        for index in 0..<30 {
            let tree = temporary.appending("k\(index)")
            try generator.make(at: tree)
            try expectSameAsGit(tree, in: temporary, label: "seed \(seed), k\(index)")
        }
        let tree = temporary.appending("hand")
        try IgnoreScenario(nodes: [
            .file(".gitignore", "*.log\nsecret/\n"), .file(".keelignore", "!keep.log\nextra\n!secret/\n"),
            .file("a.log", ""), .file("keep.log", ""), .file("extra", ""), .directory("secret"),
            .file("secret/s", ""),
        ]).make(at: tree)
        let kept = try FilteredEntries(tree)
        #expect(kept.files == Set(["keep.log", ".gitignore", ".keelignore", "secret/s"].map(bytes)))
        try expectSameAsGit(tree, in: temporary, label: "hand-written .keelignore")
    }

    @Test(".git is always left out, ignore files are kept, and empty directories are kept unless ignored")
    func gitDirectoryAndEmptyDirectories() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        try IgnoreScenario(nodes: [
            .file(".gitignore", "ignored-empty/\n*.tmp\n"), .directory(".git"), .file(".git/config", "x"),
            .directory("sub"), .file("sub/.git", "gitdir: elsewhere\n"), .file("sub/.keelignore", "nothing\n"),
            .directory("empty"), .directory("ignored-empty"), .directory("only-ignored"),
            .file("only-ignored/a.tmp", ""),
        ]).make(at: tree)
        let kept = try FilteredEntries(tree)
        #expect(kept.files == Set([".gitignore", "sub/.keelignore"].map(bytes)))
        #expect(kept.directories == Set(["sub", "empty", "only-ignored"].map(bytes)))
        let expected = temporary.appending("expected")
        try IgnoreScenario(nodes: [
            .file(".gitignore", "ignored-empty/\n*.tmp\n"), .directory("sub"), .file("sub/.keelignore", "nothing\n"),
            .directory("empty"), .directory("only-ignored"),
        ]).make(at: expected)
        #expect(try TreeDumper.hash(path: tree, filter: SourceTreeFilter()) == TreeDumper.hash(path: expected))
    }

    @Test("with no ignore files and no .git, the filtered NAR is the whole tree's")
    func noIgnoreFiles() throws {
        let seed = testSeed()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        var generator = RandomTree(seed: seed)
        for index in 0..<10 {
            let tree = temporary.appending("t\(index)")
            try generator.make(at: tree)
            let filtered = try TreeDumper.hash(path: tree, filter: SourceTreeFilter())
            #expect(filtered == (try TreeDumper.hash(path: tree)), "seed \(seed), t\(index)")
        }
    }

    /// Compares what the filter keeps of `tree` with what git keeps of a copy in which each
    /// `.keelignore` is appended to its directory's `.gitignore`: the files and symlinks git
    /// lists as untracked and not ignored, the directories `git check-ignore` does not report.
    /// Then checks the filtered NAR is the NAR of a copy with everything else deleted.
    func expectSameAsGit(_ tree: String, in temporary: TemporaryDirectory, label: String) throws {
        let kept = try FilteredEntries(tree)
        let oracle = temporary.appending("oracle")
        defer { TemporaryDirectory.removeTree(oracle) }
        try copyTree(tree, to: oracle)
        let git = try GitOracle(home: temporary.appending("git-home"))
        let directories = try TreeListing(oracle).directories
        var madeForGit: Set<[UInt8]> = []
        for directory in directories.map({ $0 + [UInt8(ascii: "/")] }) + [[]] {
            if try appendKeelIgnore(in: Array(oracle.utf8) + [UInt8(ascii: "/")] + directory) {
                madeForGit.insert(directory + bytes(".gitignore"))
            }
        }
        try git.run(["init", "-q", "--template="], in: oracle)
        let files = try git.keptFiles(in: oracle).subtracting(madeForGit)
        let ignoredDirectories = try git.ignored(directories, in: oracle)
        let keptDirectories = Set(directories).subtracting(ignoredDirectories)
        let fileDifference = kept.files.symmetricDifference(files)
        #expect(fileDifference.isEmpty, "\(label): files kept by one only: \(describe(fileDifference))")
        let directoryDifference = kept.directories.symmetricDifference(keptDirectories)
        #expect(directoryDifference.isEmpty, "\(label): directories kept by one only: \(describe(directoryDifference))")

        // Deciding one path at a time, outside a walk, agrees.
        let filter = SourceTreeFilter()
        let treeListing = try TreeListing(tree)
        for file in treeListing.files
        where try filter.keeps(file, isDirectory: false, inTreeAt: tree) != files.contains(file) {
            Issue.record("\(label): keeps(_:isDirectory:inTreeAt:) differs on file \(describe([file]))")
        }
        for directory in treeListing.directories
        where try filter.keeps(directory, isDirectory: true, inTreeAt: tree) != keptDirectories.contains(directory) {
            Issue.record("\(label): keeps(_:isDirectory:inTreeAt:) differs on directory \(describe([directory]))")
        }

        let expected = temporary.appending("expected")
        defer { TemporaryDirectory.removeTree(expected) }
        try copyTree(tree, to: expected)
        let listing = try TreeListing(expected)
        for path in listing.files where !files.contains(path) {
            try? FileSystem.removeTree(Array(expected.utf8) + [UInt8(ascii: "/")] + path)
        }
        for path in ignoredDirectories.union([bytes(".git")]) {
            try? FileSystem.removeTree(Array(expected.utf8) + [UInt8(ascii: "/")] + path)
        }
        #expect(
            try TreeDumper.hash(path: tree, filter: SourceTreeFilter()) == TreeDumper.hash(path: expected),
            "\(label): NAR")
    }

    /// Appends the `.keelignore` of `directory` to its `.gitignore` (on a line of its own,
    /// without its byte order mark), as the oracle reads it; true when that made the
    /// `.gitignore`.
    func appendKeelIgnore(in path: [UInt8]) throws -> Bool {
        let directory = try FileSystem.openDirectory(path)
        defer { FileSystem.close(directory) }
        func read(_ name: String) -> [UInt8]? {
            guard let fd = try? FileSystem.openForReading(bytes(name), in: directory) else { return nil }
            defer { FileSystem.close(fd) }
            return try? FileSystem.read(fd, count: Int(FileSystem.status(of: fd).size), at: 0)
        }
        guard let keel = read(".keelignore") else { return false }
        let git = read(".gitignore")
        var combined = git ?? []
        if !combined.isEmpty && combined.last != UInt8(ascii: "\n") { combined.append(UInt8(ascii: "\n")) }
        combined += keel.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(keel.dropFirst(3)) : keel
        try FileSystem.removeTree(bytes(".gitignore"), in: directory)
        let fd = try FileSystem.createFile(bytes(".gitignore"), in: directory, permissions: 0o644)
        defer { FileSystem.close(fd) }
        try combined.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
        return git == nil
    }

    func copyTree(_ source: String, to destination: String) throws {
        let result = try ProcessRunner.run("cp", ["-a", source, destination])
        #expect(result.status == 0, "cp: \(result.errorOutput)")
    }

    func describe(_ paths: Set<[UInt8]>) -> String {
        paths.map { FileSystem.display($0).debugDescription }.sorted().joined(separator: ", ")
    }
}

/// The bytes of a string.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The entries of a filtered NAR of a tree: files and symlinks, and directories (the root
/// left out), as paths from the root.
struct FilteredEntries: NARVisitor {
    var files: Set<[UInt8]> = []
    var directories: Set<[UInt8]> = []
    private var stack: [[UInt8]] = []
    private var depth = 0

    init(_ tree: String) throws {
        var collector = FilteredEntries()
        _ = try TreeDumper.copy(path: tree, filter: SourceTreeFilter(), into: &collector)
        self = collector
    }

    private init() {}

    private func path(_ name: [UInt8]) -> [UInt8] { Array((stack + [name]).joined(separator: [UInt8(ascii: "/")])) }

    mutating func beginDirectory(name: [UInt8]?) throws {
        depth += 1
        guard let name else { return }
        directories.insert(path(name))
        stack.append(name)
    }

    mutating func endDirectory() throws {
        depth -= 1
        if depth > 0 { stack.removeLast() }
    }

    mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        if let name { files.insert(path(name)) }
    }

    mutating func symlink(name: [UInt8]?, target: [UInt8]) throws {
        if let name { files.insert(path(name)) }
    }
}

/// Every entry under a directory, by raw path from it: directories, and everything else.
struct TreeListing {
    var directories: [[UInt8]] = []
    var files: [[UInt8]] = []

    init(_ root: String) throws {
        let directory = try FileSystem.openDirectory(Array(root.utf8))
        defer { FileSystem.close(directory) }
        try walk(directory, prefix: [])
    }

    private mutating func walk(_ directory: FileDescriptor, prefix: [UInt8]) throws {
        for entry in try DirectoryListing.read(directory) {
            let path = prefix + entry.name
            guard try FileSystem.status(of: entry.name, in: directory).kind == .directory else {
                files.append(path)
                continue
            }
            directories.append(path)
            let child = try FileSystem.openDirectory(entry.name, in: directory)
            defer { FileSystem.close(child) }
            try walk(child, prefix: path + [UInt8(ascii: "/")])
        }
    }
}

/// git as the oracle of what is ignored, with no user or system configuration.
struct GitOracle {
    let environment: [String: String]

    init(home: String) throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home,
            "XDG_CONFIG_HOME": home + "/config", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
        ]
    }

    @discardableResult
    func run(_ arguments: [String], in directory: String, input: [UInt8] = [], allowing: Set<Int32> = [0]) throws
        -> [UInt8]
    {
        let result = try ProcessRunner.run(
            "git", arguments, environment: environment, input: input, directory: directory)
        guard allowing.contains(result.status) else {
            throw GitOracleError(description: "git \(arguments.joined(separator: " ")): \(result.errorOutput)")
        }
        return result.standardOutput
    }

    /// The files and symlinks git would add: untracked and not ignored.
    func keptFiles(in repository: String) throws -> Set<[UInt8]> {
        let output = try run(["ls-files", "--others", "--exclude-standard", "-z"], in: repository)
        return Set(output.split(separator: 0).map(Array.init))
    }

    /// Which of `paths` git ignores (by their own patterns or an ignored parent).
    func ignored(_ paths: [[UInt8]], in repository: String) throws -> Set<[UInt8]> {
        guard !paths.isEmpty else { return [] }
        let input: [UInt8] = paths.flatMap { $0 + [0] }
        // check-ignore exits 1 when it ignores none of them.
        let output = try run(["check-ignore", "-z", "--stdin"], in: repository, input: input, allowing: [0, 1])
        return Set(output.split(separator: 0).map(Array.init))
    }
}

struct GitOracleError: Error, CustomStringConvertible {
    let description: String
}
