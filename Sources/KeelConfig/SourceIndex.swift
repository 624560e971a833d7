/// Where each key and value of a TOML document is written, so that a problem TOMLKit cannot place (an unknown key,
/// a value of the wrong type, a bad duration) can still be reported as `keel.toml:LINE:COL: message`.
///
/// Built in one pass over the document's UTF-8 bytes. It understands all of TOML 1.0 (table headers, arrays of
/// tables, dotted keys, quoted keys with escapes, inline tables, nested arrays, the four kinds of string, comments,
/// CRLF line ends, a byte order mark) and never fails: in a document that is not valid TOML it indexes what it can.
public struct SourceIndex: Sendable {
    /// One table, array or value of the document, and where it is written.
    struct Node: Sendable {
        /// Where the last key of the node's path is written; nil for array elements (and the root).
        var keyPosition: SourcePosition?
        /// Where the value starts: its first character, or the `[` of the header that defines a table.
        var valuePosition: SourcePosition?
        /// The nodes of this table's keys, as indices into `nodes`.
        var children: [String: Int] = [:]
        /// The nodes of this array's elements, as indices into `nodes`.
        var elements: [Int] = []
        /// Whether `[[…]]` headers made this array, so that a later header's key continues in its last element.
        var isArrayOfTables = false
    }

    /// Every node; the first is the document's root table.
    private let nodes: [Node]

    /// The index of the root table in `nodes`.
    static let root = 0

    /// Indexes `text`, a TOML document. Never fails, and takes time linear in the text's length whatever it holds.
    public init(text: String) {
        let built = text.utf8.withContiguousStorageIfAvailable { SourceIndexBuilder(bytes: $0).build() }
        nodes = built ?? Array(text.utf8).withUnsafeBufferPointer { SourceIndexBuilder(bytes: $0).build() }
    }

    /// Where the last key of `path` is written: the key in `key = value`, or in a `[table]` header. Nil for an
    /// array element, for the root, and for a path the document does not have.
    public func keyPosition(of path: TOMLKeyPath) -> SourcePosition? {
        node(at: path).flatMap { nodes[$0].keyPosition }
    }

    /// Where the value at `path` starts: a string's opening quote, the `[` of an array, the `{` of an inline table,
    /// the `[` of the `[table]` header that defines a table (of the first `[[array]]` header for an array of tables,
    /// of its own header for one of its elements), the first character of a number, date or boolean. Nil for a table
    /// no header defines (one that only dotted keys or a longer header create), and for a path the document does
    /// not have.
    public func valuePosition(of path: TOMLKeyPath) -> SourcePosition? {
        node(at: path).flatMap { nodes[$0].valuePosition }
    }

    /// The best place for a message about `path`: where its value starts, else where its key is written, else the
    /// same for the longest prefix of `path` the document has, else line 1, column 1.
    public func position(of path: TOMLKeyPath) -> SourcePosition {
        var best = SourcePosition.start
        var node = Self.root
        for component in path {
            guard let next = child(of: node, component) else { break }
            node = next
            if let position = nodes[node].valuePosition ?? nodes[node].keyPosition { best = position }
        }
        return best
    }

    /// The node at `path`, if the document has it.
    private func node(at path: TOMLKeyPath) -> Int? {
        var node = Self.root
        for component in path {
            guard let next = child(of: node, component) else { return nil }
            node = next
        }
        return node
    }

    /// The node one step below `node`.
    private func child(of node: Int, _ component: TOMLKeyComponent) -> Int? {
        switch component {
        case .key(let key): return nodes[node].children[key]
        case .index(let index):
            let elements = nodes[node].elements
            return elements.indices.contains(index) ? elements[index] : nil
        }
    }
}
