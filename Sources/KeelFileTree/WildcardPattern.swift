/// One glob of an ignore file, compiled, with git's wildcard rules (`wildmatch`) on raw bytes:
/// `?` is one byte, `*` a run of bytes, `[...]` a class (`!` or `^` negates it; ranges; the
/// `[:alpha:]`-style ASCII classes; a `]` first is literal), and `\` makes the next byte literal.
///
/// In path mode (a pattern holding a slash) `?`, `*` and classes never match `/`; a run of
/// stars at the start or after a `/` and followed by `/` or the end matches across slashes,
/// and `**/` also matches nothing. A malformed pattern (an unterminated class, an unknown
/// class name, a trailing `\`) matches nothing, as in git.
struct WildcardPattern: Sendable {
    /// A compiled piece of the pattern.
    enum Token: Sendable, Equatable {
        /// This byte.
        case byte(UInt8)
        /// One byte of the set.
        case oneOf(ByteSet)
        /// Any run of bytes without a `/`.
        case run
        /// Any run of bytes.
        case runAcrossSlashes
        /// Nothing, or any run of bytes ending with `/` (a leading or inner `**/`).
        case directories
    }

    /// The pieces; nil for a malformed pattern.
    let tokens: [Token]?

    /// Compiles `pattern`, in path mode or not.
    init(_ pattern: ArraySlice<UInt8>, pathMode: Bool) {
        tokens = Self.compile(Array(pattern), pathMode: pathMode)
    }

    /// Whether the pattern matches all of `text`.
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let tokens else { return false }
        var matcher = Matcher(tokens: tokens, text: text)
        return matcher.matches(token: 0, at: 0)
    }

    private static func compile(_ pattern: [UInt8], pathMode: Bool) -> [Token]? {
        let slash = UInt8(ascii: "/")
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let byte = pattern[index]
            switch byte {
            case UInt8(ascii: "\\"):
                guard index + 1 < pattern.count else { return nil }
                tokens.append(.byte(pattern[index + 1]))
                index += 2
            case UInt8(ascii: "?"):
                tokens.append(.oneOf(pathMode ? ByteSet.all.removing(slash) : .all))
                index += 1
            case UInt8(ascii: "["):
                guard let (set, end) = ByteSet.parseClass(pattern, from: index + 1) else { return nil }
                tokens.append(.oneOf(pathMode ? set.removing(slash) : set))
                index = end
            case UInt8(ascii: "*"):
                var end = index
                while end < pattern.count && pattern[end] == UInt8(ascii: "*") { end += 1 }
                let startsComponent = index == 0 || pattern[index - 1] == slash
                let endsComponent =
                    end == pattern.count || pattern[end] == slash
                    || (pattern[end] == UInt8(ascii: "\\") && end + 1 < pattern.count && pattern[end + 1] == slash)
                if !pathMode {
                    tokens.append(.runAcrossSlashes)
                } else if end - index < 2 || !startsComponent || !endsComponent {
                    tokens.append(.run)
                } else if end < pattern.count && pattern[end] == slash {
                    tokens.append(.directories)
                    end += 1
                } else {
                    tokens.append(.runAcrossSlashes)
                }
                index = end
            default:
                tokens.append(.byte(byte))
                index += 1
            }
        }
        return tokens
    }

    /// Matches tokens against a text by backtracking, remembering the (token, position) pairs
    /// that failed so that several stars cannot make it exponential.
    private struct Matcher {
        let tokens: [Token]
        let text: UnsafeBufferPointer<UInt8>
        var failed: [Bool] = []

        init(tokens: [Token], text: UnsafeBufferPointer<UInt8>) {
            self.tokens = tokens
            self.text = text
            let runs = tokens.count { $0 == .run || $0 == .runAcrossSlashes || $0 == .directories }
            if runs > 1 { failed = Array(repeating: false, count: (tokens.count + 1) * (text.count + 1)) }
        }

        mutating func matches(token: Int, at position: Int) -> Bool {
            var token = token
            var position = position
            // Single bytes advance without recursion.
            while token < tokens.count {
                switch tokens[token] {
                case .byte(let expected):
                    guard position < text.count, text[position] == expected else { return false }
                case .oneOf(let set):
                    guard position < text.count, set.contains(text[position]) else { return false }
                case .run, .runAcrossSlashes, .directories:
                    return matchesRun(token: token, at: position)
                }
                token += 1
                position += 1
            }
            return position == text.count
        }

        private mutating func matchesRun(token: Int, at position: Int) -> Bool {
            let memo = token * (text.count + 1) + position
            if !failed.isEmpty && failed[memo] { return false }
            let slash = UInt8(ascii: "/")
            var end = position
            var matched = false
            switch tokens[token] {
            case .directories:
                if matches(token: token + 1, at: position) { return true }
                while end < text.count {
                    end += 1
                    if text[end - 1] == slash && matches(token: token + 1, at: end) {
                        matched = true
                        break
                    }
                }
            default:
                let crossesSlashes = tokens[token] == .runAcrossSlashes
                while true {
                    if matches(token: token + 1, at: end) {
                        matched = true
                        break
                    }
                    guard end < text.count, crossesSlashes || text[end] != slash else { break }
                    end += 1
                }
            }
            if !matched && !failed.isEmpty { failed[memo] = true }
            return matched
        }
    }
}

/// A set of byte values (a glob's `?` or `[...]`).
struct ByteSet: Sendable, Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static let all: ByteSet = {
        var set = ByteSet()
        set.words = (.max, .max, .max, .max)
        return set
    }()

    static func == (left: ByteSet, right: ByteSet) -> Bool { left.words == right.words }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) { for byte in range { insert(byte) } }

    func removing(_ byte: UInt8) -> ByteSet {
        var set = ByteSet()
        for value in 0...UInt8.max where value != byte && contains(value) { set.insert(value) }
        return set
    }

    var inverted: ByteSet {
        var set = self
        set.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return set
    }

    /// Parses a class whose `[` is just before `start`: returns the set and the index after its
    /// `]`, or nil when it is malformed (never closed, an unknown `[:name:]`, a `\` at the end).
    static func parseClass(_ pattern: [UInt8], from start: Int) -> (ByteSet, Int)? {
        var index = start
        var negated = false
        if index < pattern.count && (pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^")) {
            negated = true
            index += 1
        }
        var set = ByteSet()
        // The previous single byte, which a following `-` makes the start of a range.
        var previous: UInt8?
        var first = true
        while true {
            guard index < pattern.count else { return nil }
            let byte = pattern[index]
            if byte == UInt8(ascii: "]") && !first { break }
            first = false
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < pattern.count else { return nil }
                set.insert(pattern[index + 1])
                previous = pattern[index + 1]
                index += 2
            } else if byte == UInt8(ascii: "-"), let low = previous, index + 1 < pattern.count,
                pattern[index + 1] != UInt8(ascii: "]")
            {
                var high = pattern[index + 1]
                index += 2
                if high == UInt8(ascii: "\\") {
                    guard index < pattern.count else { return nil }
                    high = pattern[index]
                    index += 1
                }
                if low <= high { set.insert(low...high) }
                previous = nil
            } else if byte == UInt8(ascii: "["), index + 1 < pattern.count, pattern[index + 1] == UInt8(ascii: ":") {
                let nameStart = index + 2
                guard let close = pattern[nameStart...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
                if close > nameStart && pattern[close - 1] == UInt8(ascii: ":") {
                    guard let named = namedClass(pattern[nameStart..<close - 1]) else { return nil }
                    set.formUnion(named)
                    previous = nil
                    index = close + 1
                } else {
                    // Not a `[:name:]`: the `[` is an ordinary byte.
                    set.insert(byte)
                    previous = byte
                    index += 1
                }
            } else {
                set.insert(byte)
                previous = byte
                index += 1
            }
        }
        return (negated ? set.inverted : set, index + 1)
    }

    mutating func formUnion(_ other: ByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }

    /// The ASCII classes git knows (its own ctype, not the locale's).
    private static func namedClass(_ name: ArraySlice<UInt8>) -> ByteSet? {
        var set = ByteSet()
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z")
        let upper = UInt8(ascii: "A")...UInt8(ascii: "Z")
        let digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        switch String(decoding: name, as: UTF8.self) {
        case "alnum": [lower, upper, digit].forEach { set.insert($0) }
        case "alpha": [lower, upper].forEach { set.insert($0) }
        case "blank": [UInt8(ascii: " "), UInt8(ascii: "\t")].forEach { set.insert($0) }
        case "cntrl":
            set.insert(0...0x1f)
            set.insert(0x7f)
        case "digit": set.insert(digit)
        case "graph": set.insert(0x21...0x7e)
        case "lower": set.insert(lower)
        case "print": set.insert(0x20...0x7e)
        case "punct": [0x21...0x2f, 0x3a...0x40, 0x5b...0x60, 0x7b...0x7e].forEach { set.insert($0) }
        case "space":
            [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].forEach {
                set.insert($0)
            }
        case "upper": set.insert(upper)
        case "xdigit":
            set.insert(digit)
            set.insert(UInt8(ascii: "a")...UInt8(ascii: "f"))
            set.insert(UInt8(ascii: "A")...UInt8(ascii: "F"))
        default: return nil
        }
        return set
    }
}
