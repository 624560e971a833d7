/// One pattern line of a `.gitignore`-syntax file, parsed as git parses it (gitignore(5)).
///
/// A leading `!` negates the pattern; a trailing `/` makes it match directories only; a pattern
/// with no other slash matches the last component of a path at any depth, and one with a slash
/// at the start or in the middle matches the whole path relative to the directory of its file.
public struct IgnorePattern: Sendable {
    /// Whether a match re-includes the path (`!pattern`) rather than excluding it.
    public let isNegated: Bool
    /// Whether only directories match (a trailing `/`).
    public let isDirectoryOnly: Bool
    /// Whether the pattern (no slash but a trailing one) is matched against the last component
    /// of a path rather than against the whole path.
    public let matchesLastComponent: Bool
    /// The glob, without `!` and the trailing `/`; in path mode, without a leading `/` either.
    let glob: [UInt8]
    /// How many bytes of `glob` come before its first wildcard or backslash.
    let literalPrefix: Int
    /// Whether the glob is `*` followed by literal bytes (`*.o`).
    let isStarThenLiteral: Bool
    /// The glob compiled: whole for the last-component match, after `literalPrefix` in path mode.
    let wildcard: WildcardPattern

    /// Parses one line, already stripped of its line ending. Returns nil for a line that holds
    /// no pattern: empty, a comment, or nothing but blanks, `!` or `/`.
    public init?(line: some Collection<UInt8>) {
        var bytes = Array(line)
        // git reads each line as a C string: a NUL ends it.
        if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
        guard bytes.first != UInt8(ascii: "#") else { return nil }
        Self.trimTrailingSpaces(&bytes)
        var negated = false
        if bytes.first == UInt8(ascii: "!") {
            negated = true
            bytes.removeFirst()
        }
        var directoryOnly = false
        if bytes.last == UInt8(ascii: "/") {
            directoryOnly = true
            bytes.removeLast()
        }
        guard !bytes.isEmpty else { return nil }
        let lastComponent = !bytes.contains(UInt8(ascii: "/"))
        var prefix = Self.literalLength(bytes)
        if !lastComponent && bytes.first == UInt8(ascii: "/") {
            bytes.removeFirst()
            prefix -= 1
        }
        isNegated = negated
        isDirectoryOnly = directoryOnly
        matchesLastComponent = lastComponent
        glob = bytes
        literalPrefix = prefix
        isStarThenLiteral = bytes.first == UInt8(ascii: "*") && Self.literalLength(bytes.dropFirst()) == bytes.count - 1
        wildcard = WildcardPattern(lastComponent ? bytes[...] : bytes[prefix...], pathMode: !lastComponent)
    }

    /// Whether the pattern matches `path`, relative to the directory of the pattern's file, whose
    /// last component starts at `lastComponentStart`.
    func matches(_ path: UnsafeBufferPointer<UInt8>, lastComponentStart: Int, isDirectory: Bool) -> Bool {
        if isDirectoryOnly && !isDirectory { return false }
        if matchesLastComponent {
            let name = UnsafeBufferPointer(rebasing: path[lastComponentStart...])
            if literalPrefix == glob.count { return name.elementsEqual(glob) }
            if isStarThenLiteral {
                return name.count >= glob.count - 1 && name.suffix(glob.count - 1).elementsEqual(glob.dropFirst())
            }
            return wildcard.matches(name)
        }
        guard path.count >= literalPrefix, path.prefix(literalPrefix).elementsEqual(glob.prefix(literalPrefix)) else {
            return false
        }
        if literalPrefix == glob.count { return path.count == literalPrefix }
        return wildcard.matches(UnsafeBufferPointer(rebasing: path[literalPrefix...]))
    }

    /// The length of the leading run of bytes that are not `*`, `?`, `[` or `\`.
    private static func literalLength(_ bytes: some Collection<UInt8>) -> Int {
        let special: Set<UInt8> = [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "\\")]
        return bytes.prefix { !special.contains($0) }.count
    }

    /// Removes trailing spaces that no backslash escapes; a line ending in a lone backslash keeps
    /// its spaces (git's rule).
    private static func trimTrailingSpaces(_ bytes: inout [UInt8]) {
        var firstTrailingSpace: Int?
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "):
                if firstTrailingSpace == nil { firstTrailingSpace = index }
            case UInt8(ascii: "\\"):
                index += 1
                if index == bytes.count { return }
                firstTrailingSpace = nil
            default:
                firstTrailingSpace = nil
            }
            index += 1
        }
        if let firstTrailingSpace { bytes.removeSubrange(firstTrailingSpace...) }
    }
}
