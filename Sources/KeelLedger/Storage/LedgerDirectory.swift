import Foundation
import KeelLinux
import SystemPackage

/// The ledger's files under `ROOT/ledger` (docs/ledger-format.md):
///
/// ```
/// entries       "KEELLOG1", then one record per entry
/// nodes         the Merkle tree's perfect nodes, 32 bytes each, in completion order
/// checkpoints   one signed checkpoint per line (JSON)
/// secret.key    the signing key, name:base64 (mode 0600)
/// public.key    its public half, name:base64
/// lock          flock(2): exclusive for writers, shared for a reader's snapshot
/// ```
public struct LedgerDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// The first bytes of the entries file.
    public static let entriesMagic: [UInt8] = Array("KEELLOG1".utf8)

    /// The ledger directory of a state root: `ROOT/ledger`.
    public init(root: String) { path = root + "/ledger" }

    /// A ledger directory at `path`.
    public init(path: String) { self.path = path }

    /// The entries file.
    public var entriesPath: String { path + "/entries" }
    /// The Merkle nodes file.
    public var nodesPath: String { path + "/nodes" }
    /// The checkpoints file.
    public var checkpointsPath: String { path + "/checkpoints" }
    /// The secret key file.
    public var secretKeyPath: String { path + "/secret.key" }
    /// The public key file.
    public var publicKeyPath: String { path + "/public.key" }
    /// The lock file.
    public var lockPath: String { path + "/lock" }

    /// Whether the directory holds a ledger (an entries file).
    public var exists: Bool { FileManager.default.fileExists(atPath: entriesPath) }

    /// Creates the directory (mode 0700) and its parents if they are missing.
    func create() throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LedgerError(
                .fileSystem, "cannot create the ledger directory \(path)", cause: UnderlyingLedgerError(error))
        }
    }
}
