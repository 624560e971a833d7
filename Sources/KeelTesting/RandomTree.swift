import KeelLinux
import SystemPackage

/// Builds random file-system trees for oracle tests: nested and wide directories, empty files and
/// directories, executables, dangling, relative and absolute symlinks, and names with spaces,
/// leading dashes, quotes, Unicode, raw non-UTF-8 bytes and 255 bytes.
public struct RandomTree {
    private var random: SeededGenerator
    private var budget = 0

    /// Makes trees from `seed`.
    public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// Creates a random tree at `path` (which must not exist).
    ///
    /// About one tree in twelve is a single file or symlink rather than a directory.
    public mutating func make(at path: String) throws {
        budget = Int.random(in: 5...120, using: &random)
        let parent = FileSystem.currentDirectory
        let name = Array(path.utf8)
        switch Int.random(in: 0..<24, using: &random) {
        case 0: try makeFile(name, in: parent)
        case 1: try makeSymlink(name, in: parent)
        default:
            try FileSystem.makeDirectory(name, in: parent, permissions: 0o755)
            let directory = try FileSystem.openDirectory(name, in: parent)
            defer { FileSystem.close(directory) }
            let wide = Int.random(in: 0..<10, using: &random) == 0
            let deep = Int.random(in: 0..<10, using: &random) == 0
            try fill(directory, depth: 0, wide: wide, deep: deep)
        }
    }

    private mutating func fill(_ directory: FileDescriptor, depth: Int, wide: Bool, deep: Bool) throws {
        var count =
            wide && depth == 0 ? Int.random(in: 100...300, using: &random) : Int.random(in: 0...8, using: &random)
        if deep && depth < 40 { count = max(count, 1) }
        var used = Set<[UInt8]>()
        for index in 0..<count {
            var name = randomName()
            while used.contains(name) {
                name = Array(randomName().prefix(250)) + [UInt8(ascii: "0") + UInt8(index % 10)]
            }
            used.insert(name)
            budget -= 1
            let mustNest = deep && index == 0 && depth < 40
            let choice = mustNest ? 0 : Int.random(in: 0..<10, using: &random)
            if choice < 2 && (budget > 0 || mustNest) && depth < 45 {
                try FileSystem.makeDirectory(name, in: directory, permissions: 0o755)
                let child = try FileSystem.openDirectory(name, in: directory)
                defer { FileSystem.close(child) }
                try fill(child, depth: depth + 1, wide: false, deep: deep)
            } else if choice < 4 {
                try makeSymlink(name, in: directory)
            } else {
                try makeFile(name, in: directory)
            }
        }
    }

    private mutating func makeFile(_ name: [UInt8], in directory: FileDescriptor) throws {
        let modes: [UInt32] = [0o644, 0o755, 0o744, 0o654, 0o600, 0o700, 0o444, 0o555]
        let mode = modes.randomElement(using: &random)!
        let sizes = [0, 0, 1, 7, 8, 9, 15, 16, 17, 100, 4096, 4097]
        var size = sizes.randomElement(using: &random)!
        if Int.random(in: 0..<30, using: &random) == 0 { size = Int.random(in: 60_000...200_000, using: &random) }
        let fd = try FileSystem.createFile(name, in: directory, permissions: 0o600)
        defer { FileSystem.close(fd) }
        let bytes = random.bytes(size)
        try bytes.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
        try FileSystem.setPermissions(fd, mode)
    }

    private mutating func makeSymlink(_ name: [UInt8], in directory: FileDescriptor) throws {
        let targets = [
            "target", "../up/there", "/absolute/dangling", "/etc/hostname", ".", "..", "a b/c d", "ünï/ß",
            "./self", String(repeating: "x/", count: 100),
        ]
        var target = Array(targets.randomElement(using: &random)!.utf8)
        if Int.random(in: 0..<5, using: &random) == 0 { target = randomName() }
        try FileSystem.makeSymlink(name, target: target, in: directory)
    }

    /// A random entry name: never empty, `.`, `..`, and never holding `/` or NUL.
    public mutating func randomName() -> [UInt8] {
        let pool = [
            "a", "b", "B", "A", "file.txt", "with space", "-leading-dash", "--", "'quote'", "\"double\"",
            "ünïcødé", "日本語", "emoji😀", "tab\tname", "new\nline", "back\\slash", ".hidden", "..dots", "$dollar",
            "*star?", "~tilde", "x.drv",
        ]
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            // Raw bytes, most likely invalid UTF-8.
            let length = Int.random(in: 1...12, using: &random)
            var name = (0..<length).map { _ in UInt8.random(in: 1...255, using: &random) }
            name = name.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
            if name == [0x2e] || name == [0x2e, 0x2e] { name.append(UInt8(ascii: "x")) }
            return name
        case 1:
            // A 255-byte name (NAME_MAX).
            return Array(repeating: UInt8(ascii: "n"), count: 254) + [UInt8.random(in: 97...122, using: &random)]
        case 2, 3:
            let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.".utf8)
            var name = (0..<Int.random(in: 1...20, using: &random)).map { _ in letters.randomElement(using: &random)! }
            if name == [0x2e] || name == [0x2e, 0x2e] { name.append(UInt8(ascii: "x")) }
            return name
        default:
            return Array(pool.randomElement(using: &random)!.utf8)
        }
    }
}
