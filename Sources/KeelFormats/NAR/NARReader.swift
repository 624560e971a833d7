/// Limits a NAR reader enforces on hostile input.
public struct NARLimits: Sendable, Equatable {
    /// The longest entry name (NAME_MAX, 255 by default).
    public var maxNameLength: Int
    /// The longest symlink target (PATH_MAX − 1, 4095 by default).
    public var maxTargetLength: Int
    /// The deepest directory nesting.
    public var maxDepth: Int
    /// The largest regular file.
    public var maxFileSize: UInt64

    /// The defaults: names ≤ 255 bytes, targets ≤ 4095 bytes, depth ≤ 256, files of any size.
    public static let standard = NARLimits(maxNameLength: 255, maxTargetLength: 4095, maxDepth: 256, maxFileSize: .max)

    /// Makes limits.
    public init(maxNameLength: Int, maxTargetLength: Int, maxDepth: Int, maxFileSize: UInt64) {
        self.maxNameLength = maxNameLength
        self.maxTargetLength = maxTargetLength
        self.maxDepth = maxDepth
        self.maxFileSize = maxFileSize
    }
}

/// Parses a NAR strictly, accepting only the canonical form a writer produces
/// (spec/nix-formats.md §1.8), and reports its nodes to a `NARVisitor`.
///
/// Rejected, with an error naming the byte offset: a wrong magic string, tokens out of grammar
/// order, unknown node types or fields, repeated fields, a non-empty `executable` value,
/// non-zero padding, invalid entry names, entries not strictly increasing, strings over the
/// limits, nesting over the depth limit, truncated input, and (for a whole-file NAR) trailing
/// bytes. The visitor sees each node before the parse goes on, so a visitor writing to disk must
/// be ready to undo its work if a later error is thrown.
public enum NARReader {
    /// Parses one NAR from `reader`, stopping after its final `)`.
    ///
    /// - Parameters:
    ///   - reader: the byte reader; its offset names error positions.
    ///   - visitor: receives the nodes.
    ///   - limits: bounds on names, targets, depth and file sizes.
    /// - Throws: `NARReadError`, or whatever the visitor throws.
    public static func parse<Visitor: NARVisitor>(
        _ reader: inout ByteReader, visitor: inout Visitor, limits: NARLimits = .standard
    ) throws {
        try framed { try reader.expectMagic() }
        try parseNode(&reader, visitor: &visitor, name: nil, depth: 0, limits: limits)
    }

    /// Parses a whole NAR and checks that nothing follows it.
    ///
    /// - Returns: the sha256 hash and size of the NAR bytes.
    @discardableResult
    public static func parseWhole<Visitor: NARVisitor>(
        _ reader: inout ByteReader, visitor: inout Visitor, limits: NARLimits = .standard
    ) throws -> (hash: NixHash, size: UInt64) {
        reader.startHashing()
        try parse(&reader, visitor: &visitor, limits: limits)
        let result = reader.finishHashing()!
        let end = reader.offset
        guard try reader.atEnd() else { throw NARReadError(offset: end, problem: .trailingBytes) }
        return result
    }

    /// Runs `body`, turning framing errors (which carry their own offset) into `NARReadError`.
    private static func framed<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ByteReaderError {
            throw NARReadError(framing: error)
        }
    }

    private static func parseNode<Visitor: NARVisitor>(
        _ reader: inout ByteReader, visitor: inout Visitor, name: [UInt8]?, depth: Int, limits: NARLimits
    ) throws {
        try framed { try reader.expect(NARToken.open) }
        try framed { try reader.expect(NARToken.type) }
        let typeOffset = reader.offset
        if try framed({ try reader.skip(NARToken.regular) }) {
            try parseRegular(&reader, visitor: &visitor, name: name, limits: limits)
        } else if try framed({ try reader.skip(NARToken.directory) }) {
            guard depth < limits.maxDepth else {
                throw NARReadError(offset: typeOffset, problem: .tooDeep(limits.maxDepth))
            }
            try visitor.beginDirectory(name: name)
            try parseEntries(&reader, visitor: &visitor, depth: depth, limits: limits)
            try visitor.endDirectory()
        } else if try framed({ try reader.skip(NARToken.symlink) }) {
            try framed { try reader.expect(NARToken.target) }
            let targetOffset = reader.offset
            let target = try framed { try reader.readString(limit: limits.maxTargetLength) }
            if target.isEmpty { throw NARReadError(offset: targetOffset, problem: .invalidTarget("empty")) }
            if target.contains(0) { throw NARReadError(offset: targetOffset, problem: .invalidTarget("contains NUL")) }
            try framed { try reader.expect(NARToken.close) }
            try visitor.symlink(name: name, target: target)
        } else {
            // Not a known type, or truncated or badly padded: reading it says which.
            let type = try framed { try reader.readString(limit: 64) }
            throw NARReadError(offset: typeOffset, problem: .unknownType(type))
        }
    }

    private static func parseRegular<Visitor: NARVisitor>(
        _ reader: inout ByteReader, visitor: inout Visitor, name: [UInt8]?, limits: NARLimits
    ) throws {
        var executable = false
        if try framed({ try reader.skip(NARToken.executable) }) {
            let valueOffset = reader.offset
            let value = try framed { try reader.readString(limit: 64) }
            guard value.isEmpty else { throw NARReadError(offset: valueOffset, problem: .nonEmptyExecutableMarker) }
            executable = true
        }
        if try !framed({ try reader.skip(NARToken.contents) }) {
            let tokenOffset = reader.offset
            let token = try framed { try reader.readString(limit: 64) }
            let expected = executable ? [NARToken.contents] : [NARToken.executable, NARToken.contents]
            throw NARReadError(framing: .unexpectedToken(offset: tokenOffset, expected: expected, found: token))
        }
        let sizeOffset = reader.offset
        let size = try framed { try reader.readUInt64() }
        guard size <= limits.maxFileSize else { throw NARReadError(offset: sizeOffset, problem: .fileTooLarge(size)) }
        try visitor.beginFile(name: name, executable: executable, size: size)
        try framed {
            try reader.readBytes(count: size) { try visitor.contents($0) }
            try reader.readPadding(after: size)
        }
        try visitor.endFile()
        try framed { try reader.expect(NARToken.close) }
    }

    private static func parseEntries<Visitor: NARVisitor>(
        _ reader: inout ByteReader, visitor: inout Visitor, depth: Int, limits: NARLimits
    ) throws {
        var previous: [UInt8]?
        while true {
            if try framed({ try reader.skip(NARToken.close) }) { return }
            if try !framed({ try reader.skip(NARToken.entry) }) {
                let tokenOffset = reader.offset
                let token = try framed { try reader.readString(limit: 64) }
                throw NARReadError(
                    framing: .unexpectedToken(
                        offset: tokenOffset, expected: [NARToken.entry, NARToken.close], found: token))
            }
            try framed { try reader.expect(NARToken.open) }
            try framed { try reader.expect(NARToken.name) }
            let nameOffset = reader.offset
            let name = try framed { try reader.readString(limit: limits.maxNameLength) }
            if let problem = NARName.problem(with: name) {
                throw NARReadError(offset: nameOffset, problem: .invalidName(name, problem))
            }
            if let previous {
                if previous == name { throw NARReadError(offset: nameOffset, problem: .duplicateEntry(name)) }
                if !previous.lexicographicallyPrecedes(name) {
                    throw NARReadError(offset: nameOffset, problem: .unsortedEntry(previous: previous, name: name))
                }
            }
            previous = name
            try framed { try reader.expect(NARToken.node) }
            try parseNode(&reader, visitor: &visitor, name: name, depth: depth + 1, limits: limits)
            try framed { try reader.expect(NARToken.close) }
        }
    }
}

extension ByteReader {
    fileprivate mutating func expectMagic() throws {
        let at = offset
        let magic: [UInt8]
        do { magic = try readString(limit: 64) } catch { throw NARReadError(offset: at, problem: .badMagic) }
        guard magic == NARToken.magic else { throw NARReadError(offset: at, problem: .badMagic) }
    }
}

/// Why a NAR was rejected, and at which byte offset.
public struct NARReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Equatable, Sendable {
        /// The input does not start with `nix-archive-1`.
        case badMagic
        /// A framing error: truncation, bad padding, an over-long string or a token out of place.
        case framing(ByteReaderError)
        /// A node type other than regular, symlink or directory.
        case unknownType([UInt8])
        /// An `executable` marker whose value is not empty.
        case nonEmptyExecutableMarker
        /// An entry name that is empty, `.`, `..`, or holds `/` or NUL.
        case invalidName([UInt8], String)
        /// Two entries with one name.
        case duplicateEntry([UInt8])
        /// An entry that sorts before the previous one.
        case unsortedEntry(previous: [UInt8], name: [UInt8])
        /// A symlink target that is empty or holds NUL.
        case invalidTarget(String)
        /// Directories nested deeper than the limit.
        case tooDeep(Int)
        /// A file larger than the limit.
        case fileTooLarge(UInt64)
        /// Bytes after the end of a whole-file NAR.
        case trailingBytes
    }

    /// The byte offset the problem starts at.
    public let offset: UInt64
    /// The problem.
    public let problem: Problem

    /// Records a problem at an offset.
    public init(offset: UInt64, problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    /// Wraps a framing error, keeping its offset.
    public init(framing: ByteReaderError) {
        self.init(offset: framing.offset, problem: .framing(framing))
    }

    /// `invalid NAR: …`, naming the byte offset.
    public var description: String {
        switch problem {
        case .badMagic: "invalid NAR: input doesn't look like a Nix archive (bad magic at byte \(offset))"
        case .framing(let error): "invalid NAR: \(error)"
        case .unknownType(let type): "invalid NAR: unknown node type '\(NARName.display(type))' at byte \(offset)"
        case .nonEmptyExecutableMarker: "invalid NAR: non-empty executable marker at byte \(offset)"
        case .invalidName(let name, let reason):
            "invalid NAR: invalid entry name '\(NARName.display(name))' at byte \(offset): \(reason)"
        case .duplicateEntry(let name): "invalid NAR: duplicate entry '\(NARName.display(name))' at byte \(offset)"
        case .unsortedEntry(let previous, let name):
            "invalid NAR: entry '\(NARName.display(name))' at byte \(offset) is not sorted after '\(NARName.display(previous))'"
        case .invalidTarget(let reason): "invalid NAR: symlink target at byte \(offset): \(reason)"
        case .tooDeep(let limit): "invalid NAR: directories nested deeper than \(limit) at byte \(offset)"
        case .fileTooLarge(let size): "invalid NAR: file of \(size) bytes at byte \(offset) exceeds the limit"
        case .trailingBytes: "invalid NAR: trailing bytes after the archive at byte \(offset)"
        }
    }
}
