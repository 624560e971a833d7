import Glibc
import KeelFormats
import KeelLedger

/// Appends the system's changes (switch, rollback, deleted generations) to the audit ledger in
/// the state root, as the user running keel.
public struct SystemLedger {
    /// The ledger's directory.
    public let directory: LedgerDirectory

    /// The ledger under `root` (ROOT/ledger).
    public init(root: String) { directory = LedgerDirectory(root: root) }

    /// Appends one entry and makes it durable before returning. Its details are written as
    /// `NixJSON` writes them — compact, keys sorted, `/` unescaped: the ledger's canonical text —
    /// directly, since going through `JSONSerialization` cost a switch more than the rest of it.
    ///
    /// - Parameters:
    ///   - kind: such as `system.switch`.
    ///   - subject: what it is about, such as `generation-4`.
    ///   - details: the members of the entry's details object.
    public func record(_ kind: String, subject: String, details: [String: NixJSON]) throws {
        let writer = try LedgerWriter(directory: directory)
        _ = try writer.append([
            LedgerDraft(
                actor: Self.actor, kind: kind, subject: subject,
                details: String(decoding: NixJSON.object(details).serialized, as: UTF8.self))
        ])
        try writer.close()
    }

    /// Who is acting: `user:NAME(UID)`.
    public static var actor: String {
        let uid = getuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid:\(uid)" }
        return "user:\(String(cString: name))(\(uid))"
    }
}
