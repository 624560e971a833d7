/// What the patterns of ignore files say about a path.
public enum IgnoreDecision: Sendable, Equatable {
    /// The last matching pattern excludes the path.
    case excluded
    /// The last matching pattern is a negation (`!pattern`): the path is included again.
    case included
}

/// The patterns of one directory's ignore files (`.gitignore` syntax, gitignore(5)), in order:
/// the last pattern that matches a path decides.
public struct IgnorePatterns: Sendable {
    /// The patterns, in the order they were read.
    public private(set) var patterns: [IgnorePattern]

    /// No patterns.
    public init() { patterns = [] }

    /// Parses the text of an ignore file: one pattern a line (`\n` or `\r\n`), a UTF-8 byte order
    /// mark at the start skipped, blank lines and `#` comments ignored.
    public init(parsing text: some Collection<UInt8>) {
        patterns = []
        append(parsing: text)
    }

    /// Whether there are no patterns.
    public var isEmpty: Bool { patterns.isEmpty }

    /// Adds the patterns of another file after these, so that they take precedence.
    public mutating func append(parsing text: some Collection<UInt8>) {
        var bytes = Array(text)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for var line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let pattern = IgnorePattern(line: line) { patterns.append(pattern) }
        }
    }

    /// What the last pattern matching `path` says, or nil when none matches.
    ///
    /// - Parameters:
    ///   - path: the path relative to the directory the patterns were read in, components
    ///     separated by `/`, without a leading or trailing `/`.
    ///   - isDirectory: whether the path is a directory (a symlink to one is not).
    public func decision(for path: [UInt8], isDirectory: Bool) -> IgnoreDecision? {
        path.withUnsafeBufferPointer { decision(for: $0, isDirectory: isDirectory) }
    }

    /// `decision(for:isDirectory:)` on a buffer.
    func decision(for path: UnsafeBufferPointer<UInt8>, isDirectory: Bool) -> IgnoreDecision? {
        let lastComponentStart = (path.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        for pattern in patterns.reversed()
        where pattern.matches(path, lastComponentStart: lastComponentStart, isDirectory: isDirectory) {
            return pattern.isNegated ? .included : .excluded
        }
        return nil
    }
}
