import KeelLinux
import KeelTesting
import SystemPackage

/// Builds random trees with random `.gitignore` (and optionally `.keelignore`) files whose
/// patterns are made of the same names as the entries, so that they match often: negations,
/// anchored and directory-only patterns, double stars, classes, escapes, trailing spaces, CRLF
/// line ends, byte order marks, comments, Unicode and invalid UTF-8.
struct IgnoreTreeGenerator {
    private var random: SeededGenerator
    private let keelIgnoreFiles: Bool

    init(seed: UInt64, keelIgnoreFiles: Bool) {
        random = SeededGenerator(seed: seed)
        self.keelIgnoreFiles = keelIgnoreFiles
    }

    private static let names: [[UInt8]] =
        [
            "a", "b", "ab", "abc", "a.o", "b.o", "keep.o", "x.txt", "build", "Build", "doc", "sub", "foo bar",
            "trail ", " lead", "#hash", "!bang", "*star", "q?", "[br]", "back\\slash", "ünï", "日本", ".hidden",
            "x.log", "a-b", "a]b", "a.", "a:", "a1", "deep", "tab\tname",
        ].map { Array($0.utf8) } + [[0xFF, 0x61], [0xFE]]

    private static let pieces: [[UInt8]] =
        [
            "*", "?", "*.o", "a*", "*b", "[ab]", "[!a]*", "[a-c]*", "[[:alpha:]]*", "a[[:punct:]]", "**", "**",
            "\\*star", "\\!bang", "\\#hash", "trail\\ ", "[]]*", "a[^b]", "d*p", "*.txt", "b?", "ü*", "[ü]*", "a\\",
        ].map { Array($0.utf8) } + [[0xFF, UInt8(ascii: "*")], [0x5B, 0xFE, 0x2D, 0xFF, 0x5D]]

    /// Creates a random tree at `path` (which must not exist).
    mutating func make(at path: String) throws {
        let name = Array(path.utf8)
        try FileSystem.makeDirectory(name, in: FileSystem.currentDirectory, permissions: 0o755)
        let directory = try FileSystem.openDirectory(name)
        defer { FileSystem.close(directory) }
        try fill(directory, depth: 0)
    }

    private mutating func fill(_ directory: FileDescriptor, depth: Int) throws {
        var used = Set<[UInt8]>()
        for _ in 0..<Int.random(in: 0...7, using: &random) {
            let name = Self.names.randomElement(using: &random)!
            guard used.insert(name).inserted else { continue }
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4 where depth < 4:
                try FileSystem.makeDirectory(name, in: directory, permissions: 0o755)
                let child = try FileSystem.openDirectory(name, in: directory)
                defer { FileSystem.close(child) }
                try fill(child, depth: depth + 1)
            case 4:
                let targets = ["a", "build", "..", "sub/x"]
                try FileSystem.makeSymlink(
                    name, target: Array(targets.randomElement(using: &random)!.utf8), in: directory)
            default:
                try write(Array(name), in: directory)
            }
        }
        if Int.random(in: 0..<3, using: &random) > 0 {
            try write(ignoreFileText(), named: ".gitignore", in: directory)
        }
        if keelIgnoreFiles && Int.random(in: 0..<2, using: &random) == 0 {
            try write(ignoreFileText(), named: ".keelignore", in: directory)
        }
    }

    private func write(_ contents: [UInt8], in directory: FileDescriptor, name: [UInt8]) throws {
        let fd = try FileSystem.createFile(name, in: directory, permissions: 0o644)
        defer { FileSystem.close(fd) }
        try contents.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
    }

    private func write(_ name: [UInt8], in directory: FileDescriptor) throws {
        try write(name, in: directory, name: name)
    }

    private func write(_ contents: [UInt8], named name: String, in directory: FileDescriptor) throws {
        try write(contents, in: directory, name: Array(name.utf8))
    }

    private mutating func ignoreFileText() -> [UInt8] {
        var text: [UInt8] = Int.random(in: 0..<8, using: &random) == 0 ? [0xEF, 0xBB, 0xBF] : []
        let lineEnd: [UInt8] = Int.random(in: 0..<5, using: &random) == 0 ? [0x0D, 0x0A] : [0x0A]
        let count = Int.random(in: 1...6, using: &random)
        for index in 0..<count {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: text += Array("# comment".utf8)
            case 1: text += Array("   ".utf8)
            default: text += pattern()
            }
            if index < count - 1 || Int.random(in: 0..<4, using: &random) > 0 { text += lineEnd }
        }
        return text
    }

    private mutating func pattern() -> [UInt8] {
        var pattern: [UInt8] = []
        if Int.random(in: 0..<4, using: &random) == 0 { pattern.append(UInt8(ascii: "!")) }
        if Int.random(in: 0..<4, using: &random) == 0 { pattern.append(UInt8(ascii: "/")) }
        let components = Int.random(in: 1...3, using: &random)
        for index in 0..<components {
            if index > 0 { pattern.append(UInt8(ascii: "/")) }
            let useName = Int.random(in: 0..<2, using: &random) == 0
            pattern += (useName ? Self.names : Self.pieces).randomElement(using: &random)!
        }
        if Int.random(in: 0..<4, using: &random) == 0 { pattern.append(UInt8(ascii: "/")) }
        if Int.random(in: 0..<6, using: &random) == 0 { pattern += Array("  ".utf8) }
        return pattern
    }
}
