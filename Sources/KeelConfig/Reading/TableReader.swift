/// Reads the keys of one TOML table with the types keel.toml expects, recording a positioned
/// problem for each wrong type or unknown key instead of stopping at the first.
struct TableReader {
    /// The table's path in the document.
    let path: TOMLKeyPath
    /// The table's entries.
    let entries: [(key: String, value: TOMLNode)]
    /// Where problems go.
    let log: ProblemLog

    /// A reader for `node` at `path`; nil (with a problem recorded) when `node` is not a table.
    init?(_ node: TOMLNode, at path: TOMLKeyPath, log: ProblemLog) {
        guard let entries = node.entries else {
            log.add("'\(renderKeyPath(path))' must be a table, not \(node.kindDescription)", at: path)
            return nil
        }
        self.path = path
        self.entries = entries
        self.log = log
    }

    /// The path of `key` in this table.
    func path(_ key: String) -> TOMLKeyPath { path + [.key(key)] }

    /// Where `key`'s value is (or the table, when the key is absent).
    func position(_ key: String) -> SourcePosition { log.index.position(of: path(key)) }

    /// Where the table itself is.
    var position: SourcePosition { log.index.position(of: path) }

    /// The raw value of `key`.
    func value(_ key: String) -> TOMLNode? { entries.first { $0.key == key }?.value }

    /// Whether `key` is present.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// Records an unknown-key problem for every key not in `known`, suggesting the closest.
    func rejectUnknownKeys(_ known: [String], context: String) {
        for (key, _) in entries where !known.contains(key) {
            let hint = KeySuggestion.hint(for: key, among: known)
            log.add("unknown key '\(key)' in \(context)\(hint)", atKeyOf: path(key))
        }
    }

    /// Records that `key` has the wrong type.
    func wrongType(_ key: String, expected: String, got node: TOMLNode) {
        log.add("'\(renderKeyPath(path(key)))' must be \(expected), not \(node.kindDescription)", at: path(key))
    }

    /// The string at `key`.
    func string(_ key: String) -> ConfigString? {
        guard let node = value(key) else { return nil }
        guard case .string(let text) = node else {
            wrongType(key, expected: "a string", got: node)
            return nil
        }
        return ConfigString(text, at: position(key))
    }

    /// The boolean at `key`.
    func boolean(_ key: String) -> Bool? {
        guard let node = value(key) else { return nil }
        guard case .boolean(let flag) = node else {
            wrongType(key, expected: "true or false", got: node)
            return nil
        }
        return flag
    }

    /// The integer at `key`, which must lie in `range`.
    func integer(_ key: String, in range: ClosedRange<Int64>) -> Int? {
        guard let node = value(key) else { return nil }
        guard case .integer(let number) = node else {
            wrongType(key, expected: "an integer", got: node)
            return nil
        }
        guard range.contains(number) else {
            log.add(
                "'\(renderKeyPath(path(key)))' must be between \(range.lowerBound) and \(range.upperBound), not \(number)",
                at: path(key))
            return nil
        }
        return Int(number)
    }

    /// The array of strings at `key`.
    func strings(_ key: String) -> [ConfigString]? {
        guard let node = value(key) else { return nil }
        guard case .array(let items) = node else {
            wrongType(key, expected: "an array of strings", got: node)
            return nil
        }
        var result: [ConfigString] = []
        for (offset, item) in items.enumerated() {
            let itemPath = path(key) + [.index(offset)]
            guard case .string(let text) = item else {
                log.add(
                    "'\(renderKeyPath(itemPath))' must be a string, not \(item.kindDescription)", at: itemPath)
                continue
            }
            result.append(ConfigString(text, at: log.index.position(of: itemPath)))
        }
        return result
    }

    /// The table of strings at `key` (an `env` table), in key order.
    func stringTable(_ key: String) -> [(key: String, value: ConfigString)]? {
        guard let node = value(key) else { return nil }
        guard let reader = TableReader(node, at: path(key), log: log) else { return nil }
        var result: [(key: String, value: ConfigString)] = []
        for (name, _) in reader.entries {
            if let text = reader.string(name) { result.append((name, text)) }
        }
        return result
    }

    /// The sub-table at `key`.
    func table(_ key: String) -> TableReader? {
        guard let node = value(key) else { return nil }
        return TableReader(node, at: path(key), log: log)
    }

    /// The duration at `key`.
    func duration(_ key: String) -> ConfigDuration? {
        guard let text = string(key) else { return nil }
        do { return try ConfigDuration(parsing: text.value) } catch {
            log.add("'\(renderKeyPath(path(key)))': \(error.description)", at: text.position)
            return nil
        }
    }

    /// The size at `key`.
    func size(_ key: String) -> ByteSize? {
        guard let text = string(key) else { return nil }
        do { return try ByteSize(parsing: text.value) } catch {
            log.add("'\(renderKeyPath(path(key)))': \(error.description)", at: text.position)
            return nil
        }
    }

    /// The value at `key`, which must be one of `choices`' raw values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, of type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key) else { return nil }
        if let choice = Choice(rawValue: text.value) { return choice }
        let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let hint =
            KeySuggestion.closest(to: text.value, among: Choice.allCases.map(\.rawValue))
            .map { " (did you mean \"\($0)\"?)" } ?? ""
        log.add(
            "'\(renderKeyPath(path(key)))' must be one of \(allowed), not \"\(text.value)\"\(hint)", at: text.position)
        return nil
    }
}
