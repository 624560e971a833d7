/// `${packages.NAME}` in a string of keel.toml: expands to the package's store path. `$${` is a
/// literal `${`; any other `${…}` (a shell's `${out}`, say) is left as written.
public enum PackageReference {
    /// The introducer of a reference.
    static let opening = "${packages."

    /// One reference in a string.
    public struct Occurrence: Sendable, Equatable {
        /// The package named.
        public let name: String
        /// How many Unicode scalars into the string the `${` is (columns count scalars too).
        public let offset: Int
    }

    /// The references in `text`, in order.
    ///
    /// - Throws: `ConfigValueError` for a reference without its closing brace or with no name.
    public static func occurrences(in text: String) throws(ConfigValueError) -> [Occurrence] {
        let scalars = Array(text.unicodeScalars)
        let introducer = Array(opening.unicodeScalars)
        let escapedDollar: [Unicode.Scalar] = ["$", "$", "{"]
        var found: [Occurrence] = []
        var offset = 0
        while let dollar = scalars[offset...].firstIndex(of: "$") {
            let rest = scalars[dollar...]
            if rest.starts(with: escapedDollar) {
                offset = dollar + escapedDollar.count
                continue
            }
            guard rest.starts(with: introducer) else {
                offset = dollar + 1
                continue
            }
            let nameStart = dollar + introducer.count
            guard let close = scalars[nameStart...].firstIndex(of: "}") else {
                throw ConfigValueError("'${packages.' at character \(dollar + 1) has no closing '}'")
            }
            guard close > nameStart else { throw ConfigValueError("'${packages.}' names no package") }
            var name = String.UnicodeScalarView()
            name.append(contentsOf: scalars[nameStart..<close])
            found.append(Occurrence(name: String(name), offset: dollar))
            offset = close + 1
        }
        return found
    }

    /// `text` with every reference replaced by `path(name)` and `$${` by `${`; a name `path` does
    /// not know is left as written (validation has already reported it).
    public static func expand(_ text: String, path: (String) -> String?) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[dollar...]
            if rest.hasPrefix("$${") {
                result += "${"
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix(opening), let close = rest.firstIndex(of: "}"),
                let expanded = path(String(rest[rest.index(rest.startIndex, offsetBy: opening.count)..<close]))
            {
                result += expanded
                rest = rest[rest.index(after: close)...]
            } else {
                result += "$"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }
}
