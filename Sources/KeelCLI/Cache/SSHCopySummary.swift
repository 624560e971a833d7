import KeelCache
import KeelStore

/// `keel copy … ssh://… --json`: what was copied where.
struct SSHCopySummary: Encodable {
    /// "to" or "from".
    let direction: String
    /// The ssh:// URL of the other host.
    let host: String
    /// The paths copied, references first.
    let copied: [String]
    /// The closure's paths the destination already had.
    let alreadyPresent: [String]
    /// The bytes of export stream that travelled.
    let bytes: UInt64

    /// The summary of `report`, with full paths of `store`'s directory.
    init(_ report: RemoteCopyReport, direction: String, host: SSHDestination, in store: LocalStore) {
        self.direction = direction
        self.host = host.description
        copied = report.copied.map(store.fullPath)
        alreadyPresent = report.alreadyPresent.map(store.fullPath).sorted()
        bytes = report.bytes
    }

    /// The one-line text form.
    var line: String {
        let preposition = direction == "to" ? "to" : "from"
        return "copied \(copied.count) paths (\(ByteCount(bytes))) \(preposition) \(host), "
            + "\(alreadyPresent.count) already there"
    }
}
