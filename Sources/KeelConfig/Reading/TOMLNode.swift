import TOMLKit

/// A parsed TOML value, copied out of TOMLKit into plain Swift values so that validation works
/// on `Sendable` data and never holds the parser's objects.
public indirect enum TOMLNode: Sendable, Equatable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A floating-point number.
    case float(Double)
    /// A boolean.
    case boolean(Bool)
    /// A date, time or date-time, kept as TOML wrote it.
    case dateTime(String)
    /// An array.
    case array([TOMLNode])
    /// A table (standard or inline), keys in byte order.
    case table([(key: String, value: TOMLNode)])

    /// The table's entries, or nil when this is not a table.
    public var entries: [(key: String, value: TOMLNode)]? {
        if case .table(let entries) = self { return entries }
        return nil
    }

    /// What kind of value this is, as a message names it ("a string", "an array"...).
    public var kindDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        case .table: "a table"
        }
    }

    /// Whether the two are equal, field by field (tuples keep the synthesised conformance out).
    public static func == (lhs: TOMLNode, rhs: TOMLNode) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.boolean(let a), .boolean(let b)): a == b
        case (.dateTime(let a), .dateTime(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.table(let a), .table(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// The deepest nesting of tables and arrays read: far beyond keel.toml's own (an agent's
    /// `health.exec` list is 4 deep), and shallow enough that copying and comparing nodes, which
    /// recurse, never run out of stack (toml++ limits only inline values, not `a.b.c…` keys).
    static let maximumDepth = 64

    /// Copies a TOMLKit table.
    ///
    /// - Throws: `TOMLNestingError` when it nests deeper than `maximumDepth`.
    init(_ table: TOMLTable) throws(TOMLNestingError) {
        try self.init(table, at: [])
    }

    /// Copies a TOMLKit table found at `path`.
    private init(_ table: TOMLTable, at path: TOMLKeyPath) throws(TOMLNestingError) {
        guard path.count < Self.maximumDepth else { throw TOMLNestingError(path: path) }
        var entries: [(key: String, value: TOMLNode)] = []
        for (key, value) in zip(table.keys, table.values) {
            entries.append((key, try TOMLNode(value, at: path + [.key(key)])))
        }
        self = .table(entries.sorted { $0.key < $1.key })
    }

    /// Copies a TOMLKit value found at `path`.
    private init(_ value: TOMLValue, at path: TOMLKeyPath) throws(TOMLNestingError) {
        switch value.type {
        case .table:
            guard let table = value.table else {
                self = .table([])
                return
            }
            try self.init(table, at: path)
        case .array:
            guard path.count < Self.maximumDepth else { throw TOMLNestingError(path: path) }
            var items: [TOMLNode] = []
            for item in value.array ?? TOMLArray() {
                items.append(try TOMLNode(item.tomlValue, at: path + [.index(items.count)]))
            }
            self = .array(items)
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(Int64(value.int ?? 0))
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .date, .time, .dateTime: self = .dateTime(value.debugDescription)
        }
    }
}

/// A document whose tables and arrays nest deeper than `TOMLNode.maximumDepth`.
struct TOMLNestingError: Error {
    /// The path of the value one level too deep.
    let path: TOMLKeyPath
}
