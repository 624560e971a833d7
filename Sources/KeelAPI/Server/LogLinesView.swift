/// The body of `GET /v1/agents/{name}/logs`: an agent's last log lines.
public struct LogLinesView: Codable, Sendable, Equatable {
    /// The agent's name.
    public var agent: String
    /// The lines, oldest first, without their newlines (invalid UTF-8 replaced by U+FFFD).
    public var lines: [String]

    /// A view of some lines.
    public init(agent: String, lines: [String]) {
        self.agent = agent
        self.lines = lines
    }
}
