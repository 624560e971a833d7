import KeelArchive
import KeelLinux
import KeelTesting
import Testing

/// What a path in an unpacked tree is, as far as Keel keeps it: kind, content, symlink target
/// and whether a file is executable (not ownership, times or other mode bits).
enum DebTreeNode: Equatable {
    case directory
    case file(executable: Bool, content: [UInt8])
    case symlink([UInt8])
}

/// A temporary directory to fetch real .debs into (with the host's `apt-get download`) and
/// unpack them with Keel and with the real `dpkg-deb -x`.
final class DebFixture {
    let temporary: TemporaryDirectory

    init() throws { temporary = try TemporaryDirectory(prefix: "keel-deb") }

    func remove() { temporary.remove() }

    func path(_ name: String) -> String { temporary.appending(name) }

    /// Runs a host tool, failing with its stderr when it exits non-zero.
    @discardableResult
    func run(_ program: String, _ arguments: [String], directory: String? = nil) throws -> ProcessResult {
        let result = try ProcessRunner.run(program, arguments, directory: directory)
        try #require(result.status == 0, "\(program) \(arguments.joined(separator: " ")): \(result.errorOutput)")
        return result
    }

    /// Downloads `package` from the host's apt sources into its own directory; the .deb's path.
    func download(_ package: String) throws -> String {
        let directory = path("download-\(package)")
        try FileSystem.makeDirectories(directory)
        try run("apt-get", ["download", "-q", package], directory: directory)
        let descriptor = try FileSystem.openDirectory(Array(directory.utf8))
        defer { FileSystem.close(descriptor) }
        let entries = try DirectoryListing.read(descriptor)
        let debs = entries.map { String(decoding: $0.name, as: UTF8.self) }.filter { $0.hasSuffix(".deb") }
        let deb = try #require(debs.first, "apt-get download \(package) left no .deb")
        return "\(directory)/\(deb)"
    }

    /// Unpacks `deb` with `dpkg-deb -x` into the new directory `name`.
    func dpkgExtract(_ deb: String, into name: String) throws -> String {
        try run("dpkg-deb", ["-x", deb, path(name)])
        return path(name)
    }

    /// Unpacks `deb` with Keel into the new directory `name`.
    func keelExtract(_ deb: String, into name: String) throws -> String {
        try FileSystem.makeDirectories(path(name))
        try DebArchive(path: deb).extractData(into: path(name))
        return path(name)
    }

    /// Every path below `root` (relative, without `./`) and what it is.
    static func snapshot(_ root: String) throws -> [String: DebTreeNode] {
        var nodes: [String: DebTreeNode] = [:]
        func walk(_ directory: String, prefix: String) throws {
            let descriptor = try FileSystem.openDirectory(Array(directory.utf8))
            defer { FileSystem.close(descriptor) }
            for entry in try DirectoryListing.read(descriptor) {
                let component = String(decoding: entry.name, as: UTF8.self)
                let name = prefix + component
                let status = try FileSystem.status(of: entry.name, in: descriptor)
                switch status.kind {
                case .directory:
                    nodes[name] = .directory
                    try walk("\(directory)/\(component)", prefix: name + "/")
                case .symlink:
                    nodes[name] = .symlink(try FileSystem.readLink(entry.name, in: descriptor))
                case .regular:
                    nodes[name] = .file(
                        executable: status.permissions & 0o111 != 0,
                        content: try FileSystem.readWholeFile("\(directory)/\(component)"))
                default:
                    Issue.record("unexpected \(status.kind) at \(name)")
                }
            }
        }
        try walk(root, prefix: "")
        return nodes
    }

    /// The permission bits of every file and directory below `root` (symlinks left out).
    static func permissions(_ root: String) throws -> [String: UInt32] {
        var modes: [String: UInt32] = [:]
        for name in try snapshot(root).keys {
            let status = try FileSystem.status(of: Array("\(root)/\(name)".utf8))
            if status.kind != .symlink { modes[name] = status.permissions & 0o7777 }
        }
        return modes
    }

    /// Expects the trees at `ours` and `oracle` to hold the same names, kinds, contents, symlink
    /// targets and executable bits; and `ours` to have Keel's modes (0755/0644, 0755).
    static func expectSameTrees(_ ours: String, _ oracle: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let mine = try snapshot(ours)
        let theirs = try snapshot(oracle)
        let differing = Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
        #expect(
            differing.isEmpty, "paths that differ from dpkg-deb's: \(differing.prefix(20))",
            sourceLocation: sourceLocation)
        #expect(mine.count > 5, "the tree is suspiciously small", sourceLocation: sourceLocation)
        for (name, mode) in try permissions(ours) {
            let expected: UInt32 =
                switch mine[name] {
                case .file(executable: false, _): 0o644
                default: 0o755
                }
            #expect(mode == expected, "\(name) has mode \(String(mode, radix: 8))", sourceLocation: sourceLocation)
        }
    }
}

@Suite("DebArchive against dpkg-deb on real Debian packages", .serialized, .ownThreads)
struct DebArchiveTests {
    /// Small packages from the host's apt sources and what each one shows.
    @Test(
        "Unpacks a real .deb as dpkg-deb -x does, and reads its control file as dpkg-deb -I does",
        arguments: ["bzip2", "dash", "libzstd1", "openssl"])
    func matchesDpkgDeb(package: String) throws {
        let fixture = try DebFixture()
        defer { fixture.remove() }
        let deb = try fixture.download(package)
        let archive = try DebArchive(path: deb)
        #expect(archive.formatVersion == "2.0")
        #expect(archive.controlMemberName == "control.tar.xz")
        #expect(archive.dataMemberName == "data.tar.xz")
        let control = try fixture.run("dpkg-deb", ["-I", deb, "control"])
        #expect(try archive.controlFile() == control.standardOutput)
        #expect(try archive.controlText().hasPrefix("Package: \(package)\n"))

        let ours = try fixture.keelExtract(deb, into: "keel")
        let oracle = try fixture.dpkgExtract(deb, into: "dpkg")
        try DebFixture.expectSameTrees(ours, oracle)

        switch package {
        case "bzip2":
            // Hard links in the package: dpkg-deb links them, Keel copies them.
            let linked = try FileSystem.status(of: Array("\(oracle)/bin/bzcat".utf8))
            let copied = try FileSystem.status(of: Array("\(ours)/bin/bzcat".utf8))
            #expect(linked.linkCount > 1)
            #expect(copied.linkCount == 1 && copied.kind == .regular && copied.permissions & 0o777 == 0o755)
            #expect(TreeEntry.at("\(ours)/bin/bzcmp") == .symlink("bzdiff"))
        case "openssl":
            #expect(TreeEntry.at("\(ours)/usr/lib/ssl/certs") == .symlink("/etc/ssl/certs"))
            #expect(TreeEntry.at("\(ours)/usr/lib/ssl/cert.pem") == .symlink("/etc/ssl/certs/ca-certificates.crt"))
        case "dash":
            #expect(TreeEntry.at("\(ours)/bin/sh") == .symlink("dash"))
        default:
            #expect(try DebFixture.snapshot(ours).values.contains { if case .symlink = $0 { true } else { false } })
        }
    }

    @Test(
        "Reads data.tar and control.tar compressed with zstd, gzip, xz or not at all (repacked by dpkg-deb -b)",
        arguments: [("zstd", ".zst"), ("gzip", ".gz"), ("none", ""), ("xz", ".xz")])
    func compressions(compressor: String, suffix: String) throws {
        let fixture = try DebFixture()
        defer { fixture.remove() }
        let original = try fixture.download("bzip2")
        try fixture.run("dpkg-deb", ["-R", original, fixture.path("raw")])
        let deb = fixture.path("repacked.deb")
        try fixture.run("dpkg-deb", ["--root-owner-group", "-Z\(compressor)", "-b", fixture.path("raw"), deb])
        let archive = try DebArchive(path: deb)
        #expect(archive.controlMemberName == "control.tar" + suffix)
        #expect(archive.dataMemberName == "data.tar" + suffix)
        #expect(try archive.controlFile() == fixture.run("dpkg-deb", ["-I", deb, "control"]).standardOutput)
        let ours = try fixture.keelExtract(deb, into: "keel")
        let oracle = try fixture.dpkgExtract(deb, into: "dpkg")
        try DebFixture.expectSameTrees(ours, oracle)
        try DebFixture.expectSameTrees(ours, try fixture.dpkgExtract(original, into: "original"))
    }
}
