import KeelConfig

/// The agent-name rule of keel.toml (`[agents.NAME]`), applied again at the API boundary.
public enum AgentName {
    /// The rule in words, for error messages.
    public static var rule: String { AgentSpec.nameRule }

    /// Whether `name` may name an agent (`AgentSpec.isValidName`).
    public static func isValid(_ name: String) -> Bool { AgentSpec.isValidName(name) }
}
