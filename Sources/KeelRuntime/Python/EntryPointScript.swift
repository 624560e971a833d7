/// A launcher script an installer writes for a `console_scripts` or `gui_scripts` entry point:
/// `NAME = MODULE:ATTRIBUTE [EXTRAS]` in a wheel's `entry_points.txt`.
struct EntryPointScript: Sendable, Equatable {
    /// The script's file name in the scripts directory.
    let name: String
    /// The module to import (`package.cli`).
    let module: String
    /// The object to call, possibly dotted (`main`, `App.run`).
    let attribute: String

    /// A script named `name` calling `module`'s `attribute`.
    init(name: String, module: String, attribute: String) {
        self.name = name
        self.module = module
        self.attribute = attribute
    }

    /// Parses one entry point: `name` and its `value` (`MODULE:ATTRIBUTE`, optionally followed
    /// by `[EXTRAS]`, which a launcher ignores).
    ///
    /// - Throws: `RuntimeError` (saying `what`) for a name that is not a safe file name, or a
    ///   value without `:ATTRIBUTE` or with parts that are not Python names.
    init(name: String, value: String, what: String) throws(RuntimeError) {
        guard Self.isValidScriptName(name) else {
            throw RuntimeError(
                "\(what): script name '\(name)' must be letters, digits, '_', '-', '.' and '+' (and not '.' or '..')")
        }
        var reference = Substring(value)
        if let bracket = reference.firstIndex(of: "[") {
            guard reference.hasSuffix("]"),
                reference[bracket...].dropFirst().dropLast().allSatisfy({ $0 != "[" && $0 != "]" })
            else {
                throw RuntimeError("\(what): entry point '\(name) = \(value)' has malformed extras")
            }
            reference = reference[..<bracket]
        }
        let callable = reference.trimmingWhitespace()
        let parts = callable.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            let problem =
                parts.count < 2 ? "has no ':ATTRIBUTE' (a callable suffix is required)" : "has more than one ':'"
            throw RuntimeError("\(what): entry point '\(name) = \(value)' \(problem)")
        }
        for part in parts {
            guard part.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(Self.isPythonName) else {
                throw RuntimeError(
                    "\(what): entry point '\(name) = \(value)' must be MODULE:ATTRIBUTE of dotted Python names")
            }
        }
        self.init(name: name, module: String(parts[0]), attribute: String(parts[1]))
    }

    /// The name `attribute`'s first part, which the launcher imports from `module`.
    var importedName: String { String(attribute.prefix { $0 != "." }) }

    /// The launcher pip 23 writes for this entry point, starting with `shebang`.
    func launcher(shebang: String) -> [UInt8] {
        let text = """
            \(shebang)# -*- coding: utf-8 -*-
            import re
            import sys
            from \(module) import \(importedName)
            if __name__ == '__main__':
                sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
                sys.exit(\(attribute)())

            """
        return Array(text.utf8)
    }

    /// A name distlib accepts for a script (`[\w.+-]+`), that is also a plain file name.
    private static func isValidScriptName(_ name: String) -> Bool {
        guard !name.isEmpty, name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { isWordCharacter($0) || $0 == "-" || $0 == "." || $0 == "+" }
    }

    /// One part of a dotted Python name (`\w+`).
    private static func isPythonName(_ part: Substring) -> Bool {
        !part.isEmpty && part.unicodeScalars.allSatisfy(isWordCharacter)
    }

    /// A character Python's `\w` matches.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
