import Crypto
import Foundation
import KeelArchive
import KeelBuild
import KeelFileTree
import KeelFormats
import KeelLinux

/// Hashing what keel.lock pins: host paths and `.drv` files as they are now, and fetches by
/// downloading them (`keel lock`, `keel switch --update-lock`).
public enum InputHashing {
    /// The NAR SHA-256 of the host path `path` (a file, a directory or a symlink, not followed).
    public static func hostPath(_ path: String) throws(EvaluationError) -> String {
        do { return try TreeDumper.hash(path: path).hash.sri } catch {
            throw EvaluationError("cannot hash host path '\(path)': \(error)")
        }
    }

    /// The SHA-256 of the file at `path`.
    public static func file(_ path: String) throws(EvaluationError) -> String {
        do {
            return "sha256-" + Data(SHA256.hash(data: try FileSystem.readWholeFile(path))).base64EncodedString()
        } catch {
            throw EvaluationError("cannot read '\(path)': \(error.reason)")
        }
    }

    /// Downloads `url` into a temporary directory and returns the file's SHA-256 and, with
    /// `unpack`, the NAR SHA-256 of the tree it unpacks to, or with `executable`, of the file
    /// made executable (what Nix's fetchurl hashes for an executable download).
    public static func fetch(_ url: String, unpack: Bool, executable: Bool, in scratch: String) throws(EvaluationError)
        -> (hash: String, narHash: String?)
    {
        let file = scratch + "/download"
        let tree = scratch + "/unpacked"
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: tree)
        }
        do { try URLDownload.fetch(url, to: file) } catch { throw EvaluationError(error.message) }
        let hash = try self.file(file)
        if executable {
            do {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
                return (hash, try TreeDumper.hashInline(path: file).hash.sri)
            } catch {
                throw EvaluationError("cannot hash the downloaded file as an executable: \(error)")
            }
        }
        guard unpack else { return (hash, nil) }
        return (hash, try unpackedHash(archive: file, into: tree))
    }

    /// Unpacks `archive` into `tree` (which must not exist) as a fetch with `unpack = true` does
    /// and returns the tree's NAR SHA-256.
    public static func unpackedHash(archive: String, into tree: String) throws(EvaluationError) -> String {
        do { try ArchiveUnpacker.unpack(file: archive, into: tree, stripSingleTopDirectory: true) } catch {
            throw EvaluationError("cannot unpack '\(archive)': \(error.description)")
        }
        do { return try TreeDumper.hash(path: tree).hash.sri } catch {
            throw EvaluationError("cannot hash the unpacked tree: \(error)")
        }
    }
}
