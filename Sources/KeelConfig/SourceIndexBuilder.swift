/// Reads a TOML document's structure (headers, key/value pairs, arrays and inline tables) and records where each
/// key and value is written, as the nodes of a `SourceIndex`.
///
/// Arrays and inline tables are followed with an explicit stack rather than recursion, so any depth of nesting is
/// indexed without exhausting the thread's stack. Every step consumes input or closes an open value, so it ends.
struct SourceIndexBuilder {
    /// An array or inline table whose closing bracket or brace is still ahead.
    private enum OpenValue {
        case array(node: Int)
        case inlineTable(node: Int)
    }

    private var scanner: TOMLScanner
    private var cursor: SourcePositionCursor
    private var nodes = [SourceIndex.Node()]
    /// The arrays and inline tables the value being read is nested in, innermost last.
    private var openValues: [OpenValue] = []

    /// A builder for the document in `bytes`.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        scanner = TOMLScanner(bytes: bytes)
        cursor = SourcePositionCursor(bytes: bytes, start: scanner.offset)
    }

    /// Reads the whole document and returns its nodes, the root table first.
    consuming func build() -> [SourceIndex.Node] {
        var table = SourceIndex.root
        while true {
            scanner.skipBlanks()
            guard let byte = scanner.current else { break }
            if byte == TOMLByte.openBracket {
                table = readHeader()
            } else if scanner.scanKey() {
                readKeyValue(in: table)
            } else {
                scanner.skipRestOfLine()
                continue
            }
            scanner.skipSpaces()
            scanner.skipComment()
            if !scanner.isAtLineEnd { scanner.skipRestOfLine() }
        }
        return nodes
    }

    // MARK: Headers and key/value pairs

    /// Reads a `[table]` or `[[array of tables]]` header and returns the node of the table it opens.
    private mutating func readHeader() -> Int {
        let open = scanner.offset
        scanner.advance()
        let isArrayOfTables = scanner.current == TOMLByte.openBracket
        if isArrayOfTables { scanner.advance() }
        guard scanner.scanKey() else {
            // No key: what follows belongs to no table the document can name.
            return appendNode(SourceIndex.Node())
        }
        let openPosition = cursor.position(at: open)
        var node = SourceIndex.root
        for (number, part) in scanner.keyParts.enumerated() {
            let keyPosition = cursor.position(at: part.offset)
            let named = child(of: node, named: part.name, keyPosition: keyPosition)
            if number < scanner.keyParts.count - 1 {
                node = lastElementIfArrayOfTables(named)
            } else if isArrayOfTables {
                nodes[named].isArrayOfTables = true
                if nodes[named].valuePosition == nil { nodes[named].valuePosition = openPosition }
                node = appendNode(SourceIndex.Node(valuePosition: openPosition))
                nodes[named].elements.append(node)
            } else {
                if nodes[named].valuePosition == nil {
                    // A table a longer header created is now defined by its own: point at this one.
                    nodes[named].keyPosition = keyPosition
                    nodes[named].valuePosition = openPosition
                }
                node = named
            }
        }
        scanner.skipSpaces()
        if scanner.current == TOMLByte.closeBracket { scanner.advance() }
        if isArrayOfTables && scanner.current == TOMLByte.closeBracket { scanner.advance() }
        return node
    }

    /// Records the key `scanner` just read, in `table`, and reads the value after its `=`.
    private mutating func readKeyValue(in table: Int) {
        let node = nodeOfKey(in: table)
        scanner.skipSpaces()
        guard scanner.current == TOMLByte.equals else { return }
        scanner.advance()
        scanner.skipSpaces()
        guard !scanner.isAtLineEnd, scanner.current != TOMLByte.hash else { return }
        readValue(into: node)
    }

    /// The node of the (possibly dotted) key `scanner` just read, below `table`, made with its key position if new; so
    /// are the tables its leading components name.
    private mutating func nodeOfKey(in table: Int) -> Int {
        var node = table
        for (number, part) in scanner.keyParts.enumerated() {
            if number > 0 { node = lastElementIfArrayOfTables(node) }
            node = child(of: node, named: part.name, keyPosition: cursor.position(at: part.offset))
        }
        return node
    }

    // MARK: Values

    /// Reads the value starting here, the value of `first`, with every array element and inline table key inside it.
    private mutating func readValue(into first: Int) {
        openValues.removeAll(keepingCapacity: true)
        var node = first
        while true {
            if nodes[node].valuePosition == nil { nodes[node].valuePosition = cursor.position(at: scanner.offset) }
            switch scanner.current {
            case TOMLByte.openBracket:
                scanner.advance()
                openValues.append(.array(node: node))
            case TOMLByte.openBrace:
                scanner.advance()
                openValues.append(.inlineTable(node: node))
            case TOMLByte.quote, TOMLByte.apostrophe:
                scanner.skipString()
            default:
                scanner.skipScalarValue()
            }
            guard let next = nextNestedValue() else { return }
            node = next
        }
    }

    /// Reads on through the open arrays and inline tables (separators, closing brackets, keys) to where the next
    /// value inside them starts, and returns the node it belongs to; nil once they are all closed or the text ends.
    private mutating func nextNestedValue() -> Int? {
        while let open = openValues.last {
            scanner.skipBlanks()
            guard let byte = scanner.current else { return nil }
            switch open {
            case .array(let array):
                if byte == TOMLByte.closeBracket {
                    scanner.advance()
                    openValues.removeLast()
                } else if byte == TOMLByte.comma {
                    scanner.advance()
                } else {
                    let element = appendNode(SourceIndex.Node())
                    nodes[array].elements.append(element)
                    return element
                }
            case .inlineTable(let table):
                if byte == TOMLByte.closeBrace {
                    scanner.advance()
                    openValues.removeLast()
                } else if byte == TOMLByte.comma {
                    scanner.advance()
                } else if scanner.scanKey() {
                    let node = nodeOfKey(in: table)
                    scanner.skipSpaces()
                    guard scanner.current == TOMLByte.equals else { continue }
                    scanner.advance()
                    scanner.skipSpaces()
                    if let start = scanner.current, !Self.endsInlineValue(start) { return node }
                } else {
                    scanner.advance()
                }
            }
        }
        return nil
    }

    /// Whether `byte`, where a value should start inside an inline table, shows that the value is missing.
    private static func endsInlineValue(_ byte: UInt8) -> Bool {
        switch byte {
        case TOMLByte.comma, TOMLByte.closeBrace, TOMLByte.hash, TOMLByte.lineFeed, TOMLByte.carriageReturn: true
        default: false
        }
    }

    // MARK: Nodes

    /// The node of `name` in `table`, made with `keyPosition` if the table does not have it yet.
    private mutating func child(of table: Int, named name: String, keyPosition: SourcePosition) -> Int {
        if let existing = nodes[table].children[name] { return existing }
        let node = appendNode(SourceIndex.Node(keyPosition: keyPosition))
        nodes[table].children[name] = node
        return node
    }

    /// The last element of `node` if `[[…]]` headers made it an array of tables (where a longer header or a dotted
    /// key continues), else `node`.
    private func lastElementIfArrayOfTables(_ node: Int) -> Int {
        guard nodes[node].isArrayOfTables, let last = nodes[node].elements.last else { return node }
        return last
    }

    /// Adds `node` and returns its index.
    private mutating func appendNode(_ node: SourceIndex.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }
}
