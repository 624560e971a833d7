/// The kinds of change keel itself records, and the rule every kind follows.
///
/// Scripts may append other kinds; the `ledger.` prefix is keel's own.
public enum LedgerKind: String, Sendable, CaseIterable {
    /// A switch to a new generation.
    case `switch`
    /// A rollback to an earlier generation.
    case rollback
    /// A build.
    case build
    /// A garbage collection.
    case gc
    /// An agent was started.
    case agentStart = "agent.start"
    /// An agent exited.
    case agentExit = "agent.exit"
    /// An agent was restarted.
    case agentRestart = "agent.restart"
    /// A health verdict.
    case health
    /// An API call that changed state.
    case apiCall = "api.call"
    /// A torn tail was cut off at start-up; the details say what was cut.
    case recovered = "ledger.recovered"
    /// The signing key was replaced; the details hold the old and new public keys.
    case keyRotated = "ledger.key-rotated"

    /// Whether `kind` is well formed: 1–64 characters of lower-case letters, digits, `.`, `-`
    /// and `_`, starting with a letter.
    public static func isWellFormed(_ kind: String) -> Bool {
        guard let first = kind.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            kind.utf8.count <= 64
        else { return false }
        return kind.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// Whether `kind` is reserved for keel (it starts with `ledger.`).
    public static func isReserved(_ kind: String) -> Bool { kind.hasPrefix("ledger.") }
}
