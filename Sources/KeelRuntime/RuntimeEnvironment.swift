import Foundation
import KeelLinux

/// Assembles a runtime's environment: one tree in Debian's merged-/usr layout holding every
/// file of its parts — unpacked .debs as they are, installed wheels under `usr/local` (with
/// `site-packages` renamed `dist-packages`, where Debian's Python looks) — as hard links to the
/// parts' store files (copies across file systems), so a program's own path stays inside the
/// environment (Python finds its standard library from where its executable is).
///
/// It adds what a system's maintainer scripts would have made and a view needs: the links
/// `bin`, `sbin`, `lib`, `lib64` to their `usr/` directories, `etc/ssl/certs/ca-certificates.crt`
/// from `usr/share/ca-certificates` (as update-ca-certificates makes it), and empty
/// `etc/hostname`, `hosts`, `passwd`, `group` and `resolv.conf` where the view puts its own.
public struct RuntimeEnvironment {
    /// One tree that goes into the environment.
    public struct Part: Sendable, Equatable {
        /// Where the tree is (a store path).
        public let path: String
        /// What it is.
        public let kind: Kind

        /// The kinds of part.
        public enum Kind: Sendable, Equatable {
            /// An unpacked .deb (already in the merged-/usr layout).
            case debian
            /// A wheel installed under a prefix (`lib/pythonX.Y/site-packages`, `bin`...).
            case wheel(pythonVersion: String)
        }

        /// A part at `path`.
        public init(path: String, kind: Kind) {
            self.path = path
            self.kind = kind
        }
    }

    /// The files under `etc/` the view writes for each agent.
    public static let viewFiles = ["hostname", "hosts", "passwd", "group", "resolv.conf"]

    /// The environment's name, for messages.
    public let name: String

    /// An assembler for the runtime `name`.
    public init(name: String) { self.name = name }

    /// Assembles `parts` (later parts may not replace earlier files with different ones) into the
    /// new directory `target`.
    ///
    /// - Throws: `RuntimeError` naming a file two parts ship differently, or one that cannot be
    ///   linked or written.
    public func assemble(_ parts: [Part], into target: String) throws(RuntimeError) {
        try makeDirectory(target)
        var owners: [String: String] = [:]
        for part in parts {
            try walk(part.path, relative: "") { relative, type throws(RuntimeError) in
                let mapped = Self.place(relative, kind: part.kind)
                try add(
                    part.path + "/" + relative, as: mapped, type: type, in: target, from: part.path, owners: &owners)
            }
        }
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            guard FileManager.default.fileExists(atPath: target + "/usr/" + name) else { continue }
            try symlink(target + "/" + name, to: "usr/" + name)
        }
        try makeCertificateBundle(in: target)
        try makeDirectory(target + "/etc")
        for file in Self.viewFiles where !exists(target + "/etc/" + file) {
            guard FileManager.default.createFile(atPath: target + "/etc/" + file, contents: Data()) else {
                throw RuntimeError("runtime \(name): cannot create etc/\(file)")
            }
        }
    }

    /// Where a part's file goes in the environment.
    static func place(_ relative: String, kind: Part.Kind) -> String {
        guard case .wheel(let version) = kind else { return relative }
        let sitePackages = "lib/python\(version)/site-packages"
        if relative == sitePackages || relative.hasPrefix(sitePackages + "/") {
            return "usr/local/lib/python\(version)/dist-packages" + relative.dropFirst(sitePackages.count)
        }
        return "usr/local/" + relative
    }

    private func add(
        _ source: String, as relative: String, type: FileAttributeType, in target: String, from part: String,
        owners: inout [String: String]
    ) throws(RuntimeError) {
        let destination = target + "/" + relative
        if let owner = owners[relative] {
            if type == .typeDirectory, isDirectory(destination) { return }
            if try sameContent(source, destination, type: type) { return }
            throw RuntimeError("runtime \(name): /\(relative) is in both \(owner) and \(part), and they differ")
        }
        owners[relative] = part
        switch type {
        case .typeDirectory:
            try makeDirectory(destination)
        case .typeSymbolicLink:
            let link: String
            do { link = try FileManager.default.destinationOfSymbolicLink(atPath: source) } catch {
                throw RuntimeError("runtime \(name): cannot read the link \(source)")
            }
            try symlink(destination, to: link)
        default:
            if Foundation.link(source, destination) != 0 {
                guard errno == EXDEV else {
                    throw RuntimeError(
                        "runtime \(name): cannot link \(source) to /\(relative): \(String(cString: strerror(errno)))")
                }
                do { try FileManager.default.copyItem(atPath: source, toPath: destination) } catch {
                    throw RuntimeError("runtime \(name): cannot copy \(source): \(error.localizedDescription)")
                }
            }
        }
    }

    /// Calls `visit` for every entry under `root/relative`, parents first, names sorted.
    private func walk(
        _ root: String, relative: String, _ visit: (String, FileAttributeType) throws(RuntimeError) -> Void
    ) throws(RuntimeError) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw RuntimeError("runtime \(name): cannot list \(directory): \(error.localizedDescription)")
        }
        for entry in names {
            let child = relative.isEmpty ? entry : relative + "/" + entry
            let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + child)
            let type = attributes?[.type] as? FileAttributeType ?? .typeUnknown
            try visit(child, type)
            if type == .typeDirectory { try walk(root, relative: child, visit) }
        }
    }

    /// `etc/ssl/certs/ca-certificates.crt`: every certificate under `usr/share/ca-certificates`,
    /// in path order, when the environment has some and no bundle.
    private func makeCertificateBundle(in target: String) throws(RuntimeError) {
        let source = target + "/usr/share/ca-certificates"
        let bundle = target + "/etc/ssl/certs/ca-certificates.crt"
        guard isDirectory(source), !exists(bundle) else { return }
        var certificates: [String] = []
        try walk(source, relative: "") { relative, type throws(RuntimeError) in
            if type != .typeDirectory, relative.hasSuffix(".crt") { certificates.append(relative) }
        }
        var contents = Data()
        for certificate in certificates.sorted() {
            guard var pem = FileManager.default.contents(atPath: source + "/" + certificate) else { continue }
            if pem.last != UInt8(ascii: "\n") { pem.append(UInt8(ascii: "\n")) }
            contents.append(pem)
        }
        try makeDirectory(target + "/etc/ssl/certs")
        guard FileManager.default.createFile(atPath: bundle, contents: contents) else {
            throw RuntimeError("runtime \(name): cannot write etc/ssl/certs/ca-certificates.crt")
        }
    }

    private func sameContent(_ first: String, _ second: String, type: FileAttributeType) throws(RuntimeError) -> Bool {
        let manager = FileManager.default
        if type == .typeSymbolicLink {
            return (try? manager.destinationOfSymbolicLink(atPath: first))
                == (try? manager.destinationOfSymbolicLink(atPath: second))
        }
        return manager.contentsEqual(atPath: first, andPath: second)
    }

    private func makeDirectory(_ path: String) throws(RuntimeError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw RuntimeError("runtime \(name): cannot create \(path): \(error.localizedDescription)")
        }
    }

    private func symlink(_ path: String, to destination: String) throws(RuntimeError) {
        do { try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination) } catch {
            throw RuntimeError("runtime \(name): cannot create the link \(path): \(error.localizedDescription)")
        }
    }

    private func exists(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)) != nil
    }

    private func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
