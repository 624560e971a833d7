import Foundation
import KeelFormats
import KeelLinux
import SystemPackage

/// A self-contained copy of a ledger for offline verification: `entries`, `nodes`,
/// `checkpoints` and `public.key`, exactly as a snapshot sees them (docs/ledger-format.md).
public enum LedgerBundle {
    /// Writes the bundle into `path` (created; it must not exist or be empty).
    ///
    /// - Returns: how many entries the bundle holds.
    public static func export(_ snapshot: LedgerSnapshot, to path: String) throws -> UInt64 {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw LedgerError(.badInput, "\(path) is not empty")
        }
        do { try manager.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw LedgerError(.fileSystem, "cannot create \(path)", cause: UnderlyingLedgerError(error))
        }
        var count: UInt64 = 0
        _ = try snapshot.entriesWithEnds(from: 1) { sequence, _ in
            count = sequence
            return true
        }
        let checkpoints = try snapshot.checkpoints()
        let checkpointText = checkpoints.map { $0.line + "\n" }.joined()
        try copy(snapshot.files.entries, bytes: snapshot.entriesEnd, to: path + "/entries")
        try copy(snapshot.files.nodes, bytes: snapshot.nodesEnd, to: path + "/nodes")
        try write(Array(checkpointText.utf8), to: path + "/checkpoints")
        let publicKey = try LedgerKeys(directory: snapshot.directory).publicKey()
        if let publicKey { try write(Array((publicKey.text + "\n").utf8), to: path + "/public.key") }
        return count
    }

    private static func copy(_ source: FileDescriptor, bytes: UInt64, to path: String) throws {
        let target = try open(path)
        defer { FileSystem.close(target) }
        var offset: UInt64 = 0
        while offset < bytes {
            let chunk = try FileSystem.read(source, count: Int(min(bytes - offset, 8 << 20)), at: offset)
            guard !chunk.isEmpty else { break }
            try FileSystem.write(target, chunk, at: offset)
            offset += UInt64(chunk.count)
        }
        try FileSystem.sync(target)
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let target = try open(path)
        defer { FileSystem.close(target) }
        try FileSystem.write(target, bytes, at: 0)
        try FileSystem.sync(target)
    }

    private static func open(_ path: String) throws -> FileDescriptor {
        do {
            return try FileSystem.createFile(Array(path.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
        } catch {
            throw LedgerError.fileSystem("cannot create \(path)", error)
        }
    }
}
