/// The launcher scripts a wheel's `.dist-info/entry_points.txt` asks for, as pip 23 chooses
/// them: every `console_scripts` and `gui_scripts` entry (on Linux both are the same kind of
/// launcher), except that a `pip` entry becomes `pip`, `pipX` and `pipX.Y` for the target
/// Python (other versioned `pip…` entries dropped), and an `easy_install` entry becomes
/// `easy_install` and `easy_install-X.Y` (other versioned ones dropped).
enum WheelEntryPoints {
    /// The groups whose entries become scripts.
    private static let scriptGroups: Set<String> = ["console_scripts", "gui_scripts"]

    /// The scripts `text` asks for, sorted by name, for Python `pythonVersion` (`X.Y`).
    ///
    /// - Throws: `RuntimeError` naming the wheel for a line that is not `NAME = VALUE`, a bad
    ///   entry point, or a script name given twice.
    static func scripts(in text: String, pythonVersion: String, wheel: String) throws(RuntimeError)
        -> [EntryPointScript]
    {
        let what = "wheel \(wheel): entry_points.txt"
        var group: String?
        var groups: [String: [String: String]] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                group = line.dropFirst().dropLast().trimmingWhitespace()
                continue
            }
            guard let group, scriptGroups.contains(group) else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw RuntimeError("\(what): line \(index + 1) in [\(group)] is not NAME = MODULE:ATTRIBUTE")
            }
            let name = line[..<equals].trimmingWhitespace()
            guard groups[group, default: [:]][name] == nil else {
                throw RuntimeError("\(what): script '\(name)' is named more than once in [\(group)]")
            }
            groups[group, default: [:]][name] = line[line.index(after: equals)...].trimmingWhitespace()
        }
        var values = pipRenamed(groups["console_scripts"] ?? [:], pythonVersion: pythonVersion)
        for (name, value) in groups["gui_scripts"] ?? [:] {
            guard values[name] == nil else {
                throw RuntimeError("\(what): script '\(name)' is both a console and a GUI script")
            }
            values[name] = value
        }
        var scripts: [EntryPointScript] = []
        for (name, value) in values.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }) {
            scripts.append(try EntryPointScript(name: name, value: value, what: what))
        }
        return scripts
    }

    /// The console scripts with pip's renaming of `pip` and `easy_install` entries applied.
    private static func pipRenamed(_ console: [String: String], pythonVersion: String) -> [String: String] {
        var values = console
        let major = String(pythonVersion.prefix { $0 != "." })
        if let pip = values.removeValue(forKey: "pip") {
            values = values.filter { !isVersioned($0.key, base: "pip", separator: nil) }
            values["pip"] = pip
            values["pip\(major)"] = pip
            values["pip\(pythonVersion)"] = pip
        }
        if let easyInstall = values.removeValue(forKey: "easy_install") {
            values = values.filter { !isVersioned($0.key, base: "easy_install", separator: "-") }
            values["easy_install"] = easyInstall
            values["easy_install-\(pythonVersion)"] = easyInstall
        }
        return values
    }

    /// Whether `name` is `BASE` followed by a version (`pip3`, `pip3.11`; `easy_install-3.11`),
    /// the names pip replaces with its own.
    private static func isVersioned(_ name: String, base: String, separator: Character?) -> Bool {
        guard name.hasPrefix(base) else { return false }
        var rest = Substring(name.dropFirst(base.count))
        if let separator {
            guard rest.first == separator else { return false }
            rest = rest.dropFirst()
            let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy(isNumber)
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        return (parts.count == 1 || parts.count == 2) && parts.allSatisfy(isNumber)
    }

    private static func isNumber(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
    }
}
