/// The agent-name rule of keel.toml (`[agents.NAME]`), applied again at the API boundary.
public enum AgentName {
    /// The rule in words, for error messages.
    public static let rule = "letters, digits, '-', '_' and '.' (at most 64, not starting with '.' or '-')"

    /// Whether `name` is 1 to 64 letters, digits, '-', '_' and '.', not starting with '.' or '-'.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64 else { return false }
        guard first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default: false
            }
        }
    }
}
