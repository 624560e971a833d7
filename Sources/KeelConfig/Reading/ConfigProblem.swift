/// One problem found in a configuration file: where it is and what is wrong.
public struct ConfigProblem: Sendable, Hashable, Comparable {
    /// Where the problem is.
    public let position: SourcePosition
    /// What is wrong, as one sentence without the position.
    public let message: String

    /// A problem at `position`. Control characters and bidirectional overrides in `message` (from a
    /// key or value it quotes) are written as escapes, so that it stays one line and reads as it is.
    public init(_ message: String, at position: SourcePosition) {
        self.message = Self.printable(message)
        self.position = position
    }

    /// `text` with line breaks, other control characters and bidirectional formatting characters
    /// written as `\n`, `\t` or `\u{…}`.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnprintable) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case _ where isUnprintable(scalar):
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// C0 and C1 controls, DEL, the line and paragraph separators (U+2028, U+2029), and the
    /// characters that reorder text (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which
    /// would make a message read differently from what it says.
    private static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Orders by position, then by message.
    public static func < (lhs: ConfigProblem, rhs: ConfigProblem) -> Bool {
        (lhs.position, lhs.message) < (rhs.position, rhs.message)
    }
}

/// Every problem found in one file, reported together: `FILE:LINE:COL: message`, one per line,
/// in the order they appear in the file.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    /// The file as the user named it.
    public let file: String
    /// The problems, sorted by position.
    public let problems: [ConfigProblem]

    /// Errors for `file`; `problems` is sorted and stripped of duplicates.
    public init(file: String, problems: [ConfigProblem]) {
        self.file = file
        self.problems = Array(Set(problems)).sorted()
    }

    /// One line per problem.
    public var description: String {
        problems.map { "\(file):\($0.position.line):\($0.position.column): \($0.message)" }.joined(separator: "\n")
    }
}
