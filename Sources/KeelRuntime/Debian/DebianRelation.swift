/// One alternative of a Debian relationship field (Depends, Pre-Depends, Conflicts, Breaks):
/// a package name with an optional architecture qualifier and version constraint, as in
/// `libc6:amd64 (>= 2.34)`.
public struct DebianRelation: Sendable, Hashable, CustomStringConvertible {
    /// The package (real or virtual) it names.
    public let name: String
    /// What follows the name's colon (`any`, `native`, `amd64`…), or nil.
    public let architectureQualifier: String?
    /// The version constraint in parentheses, or nil when any version does.
    public let constraint: DebianVersionConstraint?

    /// A relation on `name`.
    public init(name: String, architectureQualifier: String? = nil, constraint: DebianVersionConstraint? = nil) {
        self.name = name
        self.architectureQualifier = architectureQualifier
        self.constraint = constraint
    }

    /// The relation as Debian writes it: `name[:qualifier] [(op version)]`.
    public var description: String {
        var text = name
        if let architectureQualifier { text += ":\(architectureQualifier)" }
        if let constraint { text += " (\(constraint))" }
        return text
    }

    /// Parses a relationship field into its comma-separated groups of `|`-separated
    /// alternatives, for a host of architecture `hostArchitecture` with no build profile active.
    ///
    /// An alternative whose `[architecture list]` excludes the host, or whose `<profile>` lists
    /// all need an active profile, is dropped, and a group left empty is dropped whole (as dpkg
    /// does). The obsolete `<` and `>` mean `<=` and `>=`.
    ///
    /// - Throws: `RuntimeError` quoting the field for an empty alternative, a malformed version
    ///   constraint, restriction list or package name.
    public static func parseGroups(_ field: String, hostArchitecture: String = "amd64") throws(RuntimeError)
        -> [[DebianRelation]]
    {
        let bytes = Array(field.utf8)
        var groups: [[DebianRelation]] = []
        for group in bytes.split(separator: 0x2c, omittingEmptySubsequences: false) {
            // A trailing comma (or an empty field) is tolerated, as dpkg does.
            if group.allSatisfy(DebianRelationParser.isSpace) { continue }
            var alternatives: [DebianRelation] = []
            for alternative in group.split(separator: 0x7c, omittingEmptySubsequences: false) {
                var parser = DebianRelationParser(text: alternative, field: field)
                if let relation = try parser.parse(hostArchitecture: hostArchitecture) {
                    alternatives.append(relation)
                }
            }
            if !alternatives.isEmpty { groups.append(alternatives) }
        }
        return groups
    }
}

/// A version constraint of a relation: an operator and a version, as in `>= 2.34`.
public struct DebianVersionConstraint: Sendable, Hashable, CustomStringConvertible {
    /// How a version is compared with `version`.
    public enum Operator: String, Sendable, Hashable {
        /// `<<`: strictly earlier.
        case earlier = "<<"
        /// `<=`: earlier or equal.
        case earlierOrEqual = "<="
        /// `=`: equal.
        case equal = "="
        /// `>=`: later or equal.
        case laterOrEqual = ">="
        /// `>>`: strictly later.
        case later = ">>"
    }

    /// The operator.
    public let relation: Operator
    /// The version compared with.
    public let version: DebianVersion

    /// A constraint `relation version`.
    public init(_ relation: Operator, _ version: DebianVersion) {
        self.relation = relation
        self.version = version
    }

    /// Whether `candidate` satisfies the constraint.
    public func isSatisfied(by candidate: DebianVersion) -> Bool {
        let order = DebianVersion.compare(candidate, version)
        switch relation {
        case .earlier: return order < 0
        case .earlierOrEqual: return order <= 0
        case .equal: return order == 0
        case .laterOrEqual: return order >= 0
        case .later: return order > 0
        }
    }

    /// `op version`, as written in a relation.
    public var description: String { "\(relation.rawValue) \(version)" }
}

/// Reads one alternative, `name[:arch] [(op version)] [[arch …]] [<profile …>]…`, from the
/// field's UTF-8 bytes.
private struct DebianRelationParser {
    private let text: ArraySlice<UInt8>
    private var position: Int
    private let field: String

    init(text: ArraySlice<UInt8>, field: String) {
        self.text = text
        position = text.startIndex
        self.field = field
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }

    /// The relation, or nil when its restrictions exclude the host.
    mutating func parse(hostArchitecture: String) throws(RuntimeError) -> DebianRelation? {
        skipSpaces()
        let word = take { !Self.isSpace($0) && $0 != 0x28 && $0 != 0x5b && $0 != 0x3c }
        guard !word.isEmpty else { throw failure("an empty alternative") }
        let colon = word.firstIndex(of: 0x3a)
        let nameBytes = colon.map { word[..<$0] } ?? word
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard Self.isPackageName(nameBytes) else { throw failure("'\(name)' is not a package name") }
        var qualifier: String?
        if let colon {
            let qualifierBytes = word[(colon + 1)...]
            guard !qualifierBytes.isEmpty else {
                throw failure("'\(String(decoding: word, as: UTF8.self))' has an empty architecture qualifier")
            }
            qualifier = String(decoding: qualifierBytes, as: UTF8.self)
        }
        skipSpaces()
        var constraint: DebianVersionConstraint?
        if peek == 0x28 {
            constraint = try parseConstraint()
            skipSpaces()
        }
        var applies = true
        if peek == 0x5b {
            applies = try parseArchitectures(host: hostArchitecture)
            skipSpaces()
        }
        var profileLists = 0
        var someProfileListHolds = false
        while peek == 0x3c {
            profileLists += 1
            if try parseProfileList() { someProfileListHolds = true }
            skipSpaces()
        }
        guard position == text.endIndex else {
            throw failure("unexpected '\(String(decoding: text[position...], as: UTF8.self))'")
        }
        if profileLists > 0 && !someProfileListHolds { applies = false }
        return applies ? DebianRelation(name: name, architectureQualifier: qualifier, constraint: constraint) : nil
    }

    private mutating func parseConstraint() throws(RuntimeError) -> DebianVersionConstraint {
        position += 1
        skipSpaces()
        let symbol = String(decoding: take { $0 == 0x3c || $0 == 0x3e || $0 == 0x3d }, as: UTF8.self)
        let relation: DebianVersionConstraint.Operator
        switch symbol {
        case "<<": relation = .earlier
        case "<=", "<": relation = .earlierOrEqual
        case "=": relation = .equal
        case ">=", ">": relation = .laterOrEqual
        case ">>": relation = .later
        default: throw failure("'\(symbol)' is not a version operator")
        }
        skipSpaces()
        let version = String(decoding: take { !Self.isSpace($0) && $0 != 0x29 }, as: UTF8.self)
        skipSpaces()
        guard peek == 0x29 else { throw failure("a version constraint without ')'") }
        position += 1
        do { return DebianVersionConstraint(relation, try DebianVersion(version)) } catch {
            throw failure(error.message)
        }
    }

    /// `[amd64 linux-any]` or `[!i386 !arm64]`: whether the host is included.
    private mutating func parseArchitectures(host: String) throws(RuntimeError) -> Bool {
        let names = try bracketed(closing: 0x5d, what: "an architecture list")
        let negated = names.filter { $0.hasPrefix("!") }
        guard negated.isEmpty || negated.count == names.count else {
            throw failure("an architecture list that mixes negated and plain names")
        }
        if negated.isEmpty { return names.contains { Self.architecture($0, matches: host) } }
        return !negated.contains { Self.architecture(String($0.dropFirst()), matches: host) }
    }

    /// `<!nocheck cross>`: whether it holds when no build profile is active (every term negated).
    private mutating func parseProfileList() throws(RuntimeError) -> Bool {
        try bracketed(closing: 0x3e, what: "a build profile list").allSatisfy { $0.hasPrefix("!") }
    }

    /// The space-separated words between the opening byte at `position` and `closing`.
    private mutating func bracketed(closing: UInt8, what: String) throws(RuntimeError) -> [String] {
        position += 1
        guard let close = text[position...].firstIndex(of: closing) else {
            throw failure("\(what) without '\(Character(Unicode.Scalar(closing)))'")
        }
        let words = text[position..<close].split(whereSeparator: Self.isSpace).map {
            String(decoding: $0, as: UTF8.self)
        }
        position = close + 1
        guard !words.isEmpty else { throw failure("\(what) is empty") }
        return words
    }

    /// Whether the architecture name or wildcard `pattern` matches the Linux architecture `host`.
    private static func architecture(_ pattern: String, matches host: String) -> Bool {
        [host, "any", "linux-any", "any-\(host)", "linux-\(host)", "any-any"].contains(pattern)
    }

    /// Debian Policy 5.6.1: lower-case letters, digits, `+`, `-` and `.`, starting with a letter
    /// or a digit.
    private static func isPackageName(_ name: ArraySlice<UInt8>) -> Bool {
        func isLowerOrDigit(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) }
        guard let first = name.first, isLowerOrDigit(first) else { return false }
        return name.allSatisfy { isLowerOrDigit($0) || $0 == 0x2b || $0 == 0x2d || $0 == 0x2e }
    }

    private var peek: UInt8? { position < text.endIndex ? text[position] : nil }

    private mutating func skipSpaces() {
        while position < text.endIndex, Self.isSpace(text[position]) { position += 1 }
    }

    private mutating func take(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = position
        while position < text.endIndex, predicate(text[position]) { position += 1 }
        return text[start..<position]
    }

    private func failure(_ problem: String) -> RuntimeError {
        RuntimeError("invalid relationship field '\(Self.oneLine(field))': \(problem)")
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }.joined(separator: " ")
    }
}
