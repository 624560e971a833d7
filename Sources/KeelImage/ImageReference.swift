/// An image name and tag, `[host[:port]/]path:tag`, checked against Docker's reference grammar:
/// lowercase path components (`[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`), an optional
/// registry host (the first component, when it holds a `.` or a `:` or is `localhost`), a tag of
/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (default `latest`) and at most 255 characters of name.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// The name, registry host included when given (`example.com:5000/team/app`).
    public let name: String
    /// The tag.
    public let tag: String

    /// The longest name Docker accepts.
    public static let maximumNameLength = 255
    /// The longest tag Docker accepts.
    public static let maximumTagLength = 128
    /// The tag used when none is given.
    public static let defaultTag = "latest"

    /// A reference from its parts, both checked.
    public init(name: String, tag: String = ImageReference.defaultTag) throws(ImageError) {
        try self.init(parsing: "\(name):\(tag)")
        guard self.name == name, self.tag == tag else {
            throw ImageError("invalid image reference \"\(name):\(tag)\": the name or the tag holds a ':'")
        }
    }

    /// Parses `name[:tag]`; digests (`@sha256:…`) are refused.
    public init(parsing text: String) throws(ImageError) {
        func invalid(_ reason: String) -> ImageError {
            ImageError("invalid image reference \"\(text)\": \(reason)")
        }
        guard !text.isEmpty else { throw ImageError("invalid image reference \"\": it is empty") }
        guard !text.contains("@") else {
            throw invalid("digest references (@sha256:…) are not supported; give a tag (name:tag)")
        }
        var name = Substring(text)
        var tag = Self.defaultTag
        if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
            name = text[..<colon]
            tag = String(text[text.index(after: colon)...])
            guard Self.isValidTag(tag) else {
                throw invalid(
                    "the tag \"\(tag)\" must be 1 to 128 of A-Z a-z 0-9 _ . - and must not start with . or -")
            }
        }
        guard !name.isEmpty else { throw invalid("the name is empty") }
        guard name.utf8.count <= Self.maximumNameLength else {
            throw invalid("the name is longer than \(Self.maximumNameLength) characters")
        }
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            guard Self.isValidHost(first) else { throw invalid("the registry host \"\(first)\" is not valid") }
            components.removeFirst()
        }
        for component in components {
            guard !component.isEmpty else { throw invalid("the name has an empty path component") }
            guard component.lowercased() == component else { throw invalid("repository names must be lowercase") }
            guard Self.isValidPathComponent(component) else {
                throw invalid(
                    "the path component \"\(component)\" must be lowercase letters and digits joined by . _ __ or -")
            }
        }
        self.name = String(name)
        self.tag = tag
    }

    /// `name:tag`.
    public var description: String { "\(name):\(tag)" }

    private static func isLowercaseAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowercaseAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    private static func isValidPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        var index = 0
        var expectingRun = true
        while index < bytes.count {
            if expectingRun {
                guard isLowercaseAlphanumeric(bytes[index]) else { return false }
                while index < bytes.count, isLowercaseAlphanumeric(bytes[index]) { index += 1 }
                expectingRun = false
            } else {
                let start = index
                switch bytes[index] {
                case UInt8(ascii: "."): index += 1
                case UInt8(ascii: "_"):
                    index += index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "_") ? 2 : 1
                case UInt8(ascii: "-"): while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
                default: return false
                }
                guard index > start, index < bytes.count else { return false }
                expectingRun = true
            }
        }
        return !expectingRun
    }

    /// `component(.component)*[:port]`, each component `[A-Za-z0-9]` or `[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]`.
    private static func isValidHost(_ host: Substring) -> Bool {
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else { return false }
        }
        for label in parts[0].split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last),
                bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= maximumTagLength else { return false }
        guard isAlphanumeric(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }
}
