import KeelLinux
import KeelTesting

/// A small tree described node by node (parents before children), for ignore-file tests.
struct IgnoreScenario {
    enum Node {
        case file(path: [UInt8], contents: [UInt8])
        case directory(path: [UInt8])
        case symlink(path: [UInt8], target: [UInt8])

        static func file(_ path: String, _ contents: String) -> Node {
            .file(path: bytes(path), contents: bytes(contents))
        }
        static func directory(_ path: String) -> Node { .directory(path: bytes(path)) }
        static func symlink(_ path: String, _ target: String) -> Node {
            .symlink(path: bytes(path), target: bytes(target))
        }
    }

    let nodes: [Node]

    /// Creates the tree at `root` (which must not exist).
    func make(at root: String) throws {
        let rootName = Array(root.utf8)
        try FileSystem.makeDirectory(rootName, in: FileSystem.currentDirectory, permissions: 0o755)
        let directory = try FileSystem.openDirectory(rootName)
        defer { FileSystem.close(directory) }
        for node in nodes {
            switch node {
            case .file(let path, let contents):
                let fd = try FileSystem.createFile(path, in: directory, permissions: 0o644)
                defer { FileSystem.close(fd) }
                try contents.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
            case .directory(let path):
                try FileSystem.makeDirectory(path, in: directory, permissions: 0o755)
            case .symlink(let path, let target):
                try FileSystem.makeSymlink(path, target: target, in: directory)
            }
        }
    }

    /// Trees that exercise each rule of gitignore(5) and git's corner cases.
    static let handWritten: [IgnoreScenario] = [
        // Globs at any depth, negation, directories only, anchoring.
        IgnoreScenario(nodes: [
            .file(".gitignore", "*.o\n!keep.o\nbuild/\n/top\ndoc/*.txt\n"),
            .file("a.o", ""), .file("keep.o", ""), .directory("build"), .file("build/x", ""),
            .directory("src"), .file("src/b.o", ""), .file("src/keep.o", ""), .file("top", ""), .directory("src/build"),
            .file("src/build/y", ""), .file("src/top", ""), .directory("doc"), .file("doc/a.txt", ""),
            .directory("doc/sub"), .file("doc/sub/b.txt", ""), .directory("src/doc"), .file("src/doc/c.txt", ""),
            .file("build.txt", ""), .symlink("linked", "build"), .file(".gitignore-not", ""),
        ]),
        // A file cannot be re-included when its directory is excluded; `dir/*` leaves the directory.
        IgnoreScenario(nodes: [
            .file(".gitignore", "out/\n!out/keep\nlib/*\n!lib/keep\n!lib/sub/\nlib/sub/*\n!lib/sub/x\n"),
            .directory("out"), .file("out/keep", ""), .file("out/drop", ""), .directory("lib"), .file("lib/keep", ""),
            .file("lib/drop", ""), .directory("lib/sub"), .file("lib/sub/x", ""), .file("lib/sub/y", ""),
            .directory("lib/empty"),
        ]),
        // Double stars: leading, trailing, middle, and stars that are not at a component's edge.
        IgnoreScenario(nodes: [
            .file(".gitignore", "**/logs\nfoo/**\na/**/b\n/**/deep\nab**/c\nx**y\n**z\n"),
            .directory("logs"), .file("logs/l", ""), .directory("p"), .directory("p/logs"), .file("p/logs/l", ""),
            .directory("foo"), .file("foo/f", ""), .directory("foo/g"), .file("foo/g/h", ""), .directory("a"),
            .file("a/b", ""), .directory("a/x"), .directory("a/x/y"), .file("a/x/y/b", ""), .file("deep", ""),
            .directory("q"), .file("q/deep", ""), .directory("abx"), .directory("abx/y"), .file("abx/y/c", ""),
            .file("xay", ""), .directory("x1"), .file("x1/y", ""), .file("zz", ""), .file("az", ""),
        ]),
        // Escapes, trailing spaces, comments, CRLF, a byte order mark, no final newline.
        IgnoreScenario(nodes: [
            .file(
                ".gitignore",
                "\u{FEFF}\\#hash\r\n\\!bang\r\n# comment\r\n\r\ntrail  \r\nspace\\ \r\n\\*star\nq\\?\nback\\\\slash\nend\\"
            ),
            .file("#hash", ""), .file("!bang", ""), .file("# comment", ""), .file("trail", ""), .file("trail  ", ""),
            .file("space ", ""), .file("space", ""), .file("*star", ""), .file("xstar", ""), .file("q?", ""),
            .file("qx", ""), .file("back\\slash", ""), .file("end\\", ""), .file("end", ""),
        ]),
        // Classes: negated, ranges, named, a leading `]`, unterminated.
        IgnoreScenario(nodes: [
            .file(".gitignore", "[abc].txt\n[!a]*.md\n[^b]x\n[a-c]r\n[[:digit:]]*\n[]]q\n[[:punct:]]p\nun[closed\n"),
            .file("a.txt", ""), .file("d.txt", ""), .file("a.md", ""), .file("b.md", ""), .file("bx", ""),
            .file("cx", ""),
            .file("br", ""), .file("dr", ""), .file("7up", ""), .file("]q", ""), .file(".p", ""), .file(":p", ""),
            .file("-p", ""), .file("ap", ""), .file("un[closed", ""), .file("unc", ""),
        ]),
        // Nested ignore files take precedence over their parents' and apply relative to their
        // own directory; symlinked or directory ignore files are not read.
        IgnoreScenario(nodes: [
            .file(".gitignore", "*.log\n/sub/anchored\n"), .directory("sub"),
            .file("sub/.gitignore", "!important.log\n/local\nmid/dle\n"), .file("sub/a.log", ""),
            .file("sub/important.log", ""), .file("sub/anchored", ""), .file("sub/local", ""), .directory("sub/x"),
            .file("sub/x/local", ""), .directory("sub/mid"), .file("sub/mid/dle", ""), .file("important.log", ""),
            .directory("linked"), .symlink("linked/.gitignore", "../sub/.gitignore"), .file("linked/local", ""),
            .directory("dir"), .directory("dir/.gitignore"), .file("dir/local", ""), .directory("sub/x/y"),
            .file("sub/x/y/.gitignore", "*\n"), .file("sub/x/y/z", ""),
        ]),
        // Unicode and raw, invalid UTF-8 names, matched on bytes.
        IgnoreScenario(nodes: [
            .file(
                path: bytes(".gitignore"),
                contents: bytes("ünï*\n日本/\n") + [0xFF, UInt8(ascii: "*"), 0x0A, 0x5B, 0xFE, 0x5D, 0x0A]),
            .file("ünïcode", ""), .file("unicode", ""), .directory("日本"), .file("日本/x", ""),
            .file(path: [0xFF, 0x61], contents: []), .file(path: [0xFE], contents: []),
            .file(path: [0xFD], contents: []), .file(path: [0xC3], contents: []),
        ]),
    ]
}
