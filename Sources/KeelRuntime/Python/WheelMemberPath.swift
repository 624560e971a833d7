/// A wheel member's name made safe to install: UTF-8, relative, without empty, `.` or `..`
/// components or NUL bytes, so that it cannot escape the directory it is installed under.
struct WheelMemberPath: Hashable {
    /// The name as the archive spells it (a directory's trailing `/` dropped).
    let text: String
    /// The components.
    let components: [String]

    /// Validates the member name `bytes`.
    ///
    /// - Throws: `RuntimeError` (saying `what`) naming the member when the name is not UTF-8,
    ///   is empty or absolute, or holds a NUL byte or an empty, `.` or `..` component.
    init(_ bytes: [UInt8], what: String) throws(RuntimeError) {
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw RuntimeError("\(what): member name '\(String(decoding: bytes, as: UTF8.self))' is not UTF-8")
        }
        var name = Substring(decoded)
        if name.hasSuffix("/") { name = name.dropLast() }
        let shown = "\(what): member '\(decoded.unicodeScalars.map { $0.escaped(asASCII: false) }.joined())'"
        guard !name.isEmpty else { throw RuntimeError("\(shown) has an empty name") }
        guard !name.hasPrefix("/") else {
            throw RuntimeError("\(shown) is an absolute path (it would escape the prefix)")
        }
        guard !name.contains("\0") else { throw RuntimeError("\(shown) holds a NUL byte") }
        let components = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for component in components {
            if component == ".." { throw RuntimeError("\(shown) has a '..' component (it would escape the prefix)") }
            if component.isEmpty || component == "." {
                throw RuntimeError("\(shown) has an empty or '.' component")
            }
        }
        text = String(name)
        self.components = components
    }
}
