import KeelFormats

/// One thing the supervisor did or saw: an agent started, exited, got ready, failed a check...
/// The daemon appends each to the audit ledger before reporting it.
public struct SupervisorEvent: Sendable, Equatable {
    /// Such as `agent.start`, `agent.exit`, `agent.ready`.
    public let kind: String
    /// The agent's name.
    public let subject: String
    /// Its details (pid, exit status, reason...).
    public let details: [String: NixJSON]

    /// An event.
    public init(kind: String, subject: String, details: [String: NixJSON] = [:]) {
        self.kind = kind
        self.subject = subject
        self.details = details
    }

    /// The detail `key` as text, if present.
    public func text(_ key: String) -> String? {
        switch details[key] {
        case .string(let value): value
        case .integer(let value): String(value)
        case .bool(let value): String(value)
        default: nil
        }
    }
}
