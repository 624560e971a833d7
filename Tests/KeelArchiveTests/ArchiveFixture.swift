import Foundation
import KeelArchive
import KeelLinux
import KeelTesting
import Testing

/// One member of an archive a test asks Python to make (see `ArchivePython.make`).
struct Member: Sendable {
    var name: String
    var type = "file"
    var text: String?
    var random: Int?
    var mode: Int?
    var link: String?
    var method: String?

    static func file(_ name: String, _ text: String, mode: Int = 0o644, method: String? = nil) -> Member {
        Member(name: name, text: text, mode: mode, method: method)
    }
    static func directory(_ name: String) -> Member { Member(name: name, type: "dir", mode: 0o755) }
    static func symlink(_ name: String, to target: String) -> Member {
        Member(name: name, type: "symlink", mode: 0o777, link: target)
    }
    /// A hard link; real archives give it its target's mode (tarfile applies it to the shared file).
    static func hardLink(_ name: String, to target: String, mode: Int = 0o644) -> Member {
        Member(name: name, type: "hardlink", mode: mode, link: target)
    }

    var json: [String: Any] {
        var object: [String: Any] = ["name": name, "type": type]
        if let text { object["text"] = text }
        if let random { object["random"] = random }
        if let mode { object["mode"] = mode }
        if let link { object["link"] = link }
        if let method { object["method"] = method }
        return object
    }
}

/// A temporary directory to make archives in, unpack them with Keel and with Python, and
/// compare the trees by their NAR hash (the real `nix hash path`).
final class ArchiveFixture {
    let temporary: TemporaryDirectory
    private var oracle: NixOracle?

    init() throws { temporary = try TemporaryDirectory(prefix: "keel-archive") }

    func remove() { temporary.remove() }

    func path(_ name: String) -> String { temporary.appending(name) }

    /// Makes `name` with Python from `members`; `options` are the spec's other keys.
    @discardableResult
    func make(_ name: String, kind: String = "tar", _ members: [Member], options: [String: Any] = [:]) throws -> String
    {
        var spec: [String: Any] = ["out": path(name), "kind": kind, "members": members.map(\.json)]
        spec.merge(options) { $1 }
        let specPath = path(name + ".json")
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        try python(ArchivePython.make, [specPath])
        return path(name)
    }

    /// Extracts `archive` with Python's tarfile or zipfile into the new directory `name`.
    @discardableResult
    func referenceExtract(_ archive: String, kind: String = "tar", into name: String) throws -> String {
        try python(ArchivePython.extract, [kind, archive, path(name)])
        return path(name)
    }

    /// Unpacks `archive` with Keel into the new directory `name`.
    @discardableResult
    func unpack(_ archive: String, into name: String, strip: Bool = false) throws(ArchiveError) -> String {
        try ArchiveUnpacker.unpack(file: archive, into: path(name), stripSingleTopDirectory: strip)
        return path(name)
    }

    /// The NAR hash of the tree at `path`, by the real nix.
    func narHash(_ path: String) throws -> String {
        if oracle == nil {
            let root = self.path("nix")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            oracle = try NixOracle(root: root)
        }
        return try oracle!.output("nix", ["hash", "path", "--type", "sha256", path])
    }

    /// The names in the temporary directory that are not `expected` (a failed unpack must leave
    /// no destination and no temporary sibling behind).
    func strayEntries(besides expected: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter {
            !expected.contains($0) && !$0.hasSuffix(".json") && $0 != "nix"
        }.sorted()
    }

    /// Runs a Python program, failing with its stderr when it exits non-zero.
    func python(_ program: String, _ arguments: [String]) throws {
        let result = try ProcessRunner.run("python3", ["-c", program] + arguments)
        guard result.status == 0 else { throw PythonFailure(message: result.errorOutput) }
    }

    /// The bytes of `name`.
    func bytes(_ name: String) throws -> [UInt8] { try FileSystem.readWholeFile(path(name)) }

    /// Replaces `name` with `bytes`.
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try? FileManager.default.removeItem(atPath: path(name))
        try TestFiles.write(path(name), bytes)
    }
}

/// A Python helper that failed.
struct PythonFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { "python3 failed: \(message)" }
}

/// What a path in an unpacked tree is, for direct checks.
enum TreeEntry: Equatable {
    case file(String, executable: Bool)
    case directory
    case symlink(String)
    case missing

    /// The entry at `path`, read without following a final symlink.
    static func at(_ path: String) -> TreeEntry {
        guard let status = try? FileSystem.status(of: Array(path.utf8)) else { return .missing }
        switch status.kind {
        case .directory: return .directory
        case .symlink:
            return .symlink(String(decoding: (try? FileSystem.readLink(Array(path.utf8))) ?? [], as: UTF8.self))
        default:
            let contents = (try? FileSystem.readWholeFile(path)) ?? []
            return .file(String(decoding: contents, as: UTF8.self), executable: status.isOwnerExecutable)
        }
    }
}
