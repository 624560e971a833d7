/// A package asked for by name, as `apt-get install` takes it: `name`, `name=version` or
/// `name=pattern` where `*` in the pattern matches any run of characters (`libssl3=3.0.*`).
public struct DebianRequest: Sendable, Hashable, CustomStringConvertible {
    /// The package name.
    public let name: String
    /// The version or pattern after `=`, or nil for the highest version.
    public let versionPattern: String?

    /// Parses `text`.
    ///
    /// - Throws: `RuntimeError` quoting `text` when the name is not a Debian package name or
    ///   the version after `=` is empty.
    public init(_ text: String) throws(RuntimeError) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        let isName =
            name.utf8.first.map { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) } == true
            && name.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2b || $0 == 0x2d || $0 == 0x2e
            }
        guard isName else { throw RuntimeError("'\(text)' is not a Debian package name (or NAME=VERSION)") }
        self.name = name
        if parts.count > 1 {
            let pattern = String(parts[1])
            guard !pattern.isEmpty, !pattern.contains(where: \.isWhitespace) else {
                throw RuntimeError("'\(text)': the version after '=' is empty or has spaces")
            }
            versionPattern = pattern
        } else {
            versionPattern = nil
        }
    }

    /// Whether `version` is the one asked for: any version without a pattern; with a `*` in the
    /// pattern, a match of the glob against the version as written; otherwise an equal version.
    public func accepts(_ version: DebianVersion) -> Bool {
        guard let versionPattern else { return true }
        guard versionPattern.contains("*") else {
            guard let wanted = try? DebianVersion(versionPattern) else { return false }
            return wanted == version
        }
        return Self.glob(Array(versionPattern.utf8)[...], matches: Array(version.description.utf8)[...])
    }

    /// The request as written.
    public var description: String { versionPattern.map { "\(name)=\($0)" } ?? name }

    private static func glob(_ pattern: ArraySlice<UInt8>, matches text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == 0x2a {
            let rest = pattern.dropFirst()
            var suffix = text
            while true {
                if glob(rest, matches: suffix) { return true }
                guard !suffix.isEmpty else { return false }
                suffix = suffix.dropFirst()
            }
        }
        guard text.first == first else { return false }
        return glob(pattern.dropFirst(), matches: text.dropFirst())
    }
}
