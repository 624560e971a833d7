/// Reads an export stream path by path, validating each NAR strictly and hashing it as it
/// streams past.
///
/// Rejected, with the byte offset: a marker other than 0 or 1, a NAR the strict reader refuses,
/// a wrong trailer magic, paths and references that are not store paths of the store directory,
/// references that are not sorted or repeat, more than `maxReferences` references, a signature
/// flag other than 0 or 1, truncation, and bytes after the end marker.
public struct ExportReader: ~Copyable {
    private var reader: ByteReader
    private var finished = false
    /// The store directory every path must be in.
    public let storeDirectory: StoreDirectory
    /// The most references one path may have.
    public var maxReferences = 1 << 20
    /// Limits for the embedded NARs.
    public var limits = NARLimits.standard

    /// Reads a stream from `source`.
    public init(source: some ByteSource, storeDirectory: StoreDirectory) {
        reader = ByteReader(source: source, bufferSize: 1 << 20)
        self.storeDirectory = storeDirectory
    }

    /// Reads the next path, handing its NAR's nodes to `visitor`; `nil` at the end of the stream.
    ///
    /// - Throws: `ExportError` or `NARReadError` naming the offset, or what the visitor throws.
    public mutating func next<Visitor: NARVisitor>(visitor: inout Visitor) throws -> ExportedPath? {
        guard !finished else { return nil }
        let markerOffset = reader.offset
        let marker = try Self.framed { try reader.readUInt64() }
        switch marker {
        case 0:
            finished = true
            let end = reader.offset
            guard try reader.atEnd() else { throw ExportError(offset: end, problem: .trailingBytes) }
            return nil
        case 1:
            break
        default:
            throw ExportError(offset: markerOffset, problem: .badMarker(marker))
        }
        reader.startHashing()
        try NARReader.parse(&reader, visitor: &visitor, limits: limits)
        let (narHash, narSize) = reader.finishHashing()!
        let magicOffset = reader.offset
        let magic = try Self.framed { try reader.readUInt64() }
        guard magic == ExportStream.trailerMagic else {
            throw ExportError(offset: magicOffset, problem: .badTrailerMagic(magic))
        }
        let path = try storePath()
        let countOffset = reader.offset
        let count = try Self.framed { try reader.readUInt64() }
        guard count <= UInt64(maxReferences) else {
            throw ExportError(offset: countOffset, problem: .tooManyReferences(count))
        }
        var references: [String] = []
        for _ in 0..<count {
            let offset = reader.offset
            let reference = try storePath()
            if let last = references.last, !last.utf8.lexicographicallyPrecedes(reference.utf8) {
                throw ExportError(offset: offset, problem: .unsortedReferences(reference))
            }
            references.append(reference)
        }
        let deriverOffset = reader.offset
        let deriverText = try Self.framed { try reader.readString(limit: 4096) }
        var deriver: String?
        if !deriverText.isEmpty {
            let text = String(decoding: deriverText, as: UTF8.self)
            do { _ = try storeDirectory.parse(text) } catch {
                throw ExportError(offset: deriverOffset, problem: .invalidPath(text, error))
            }
            deriver = text
        }
        let signatureOffset = reader.offset
        switch try Self.framed({ try reader.readUInt64() }) {
        case 0: break
        case 1: _ = try Self.framed { try reader.readString(limit: 4096) }
        case let flag: throw ExportError(offset: signatureOffset, problem: .badMarker(flag))
        }
        return ExportedPath(
            entry: ExportEntry(path: path, references: references, deriver: deriver), narHash: narHash, narSize: narSize
        )
    }

    private mutating func storePath() throws -> String {
        let offset = reader.offset
        let bytes = try Self.framed { try reader.readString(limit: 4096) }
        let text = String(decoding: bytes, as: UTF8.self)
        do { _ = try storeDirectory.parse(text) } catch {
            throw ExportError(offset: offset, problem: .invalidPath(text, error))
        }
        return text
    }

    private static func framed<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ByteReaderError {
            throw ExportError(offset: error.offset, problem: .framing(error))
        }
    }
}

/// Why an export stream was rejected, and at which byte offset.
public struct ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Equatable, Sendable {
        /// A path marker or signature flag other than 0 or 1.
        case badMarker(UInt64)
        /// The value after a NAR is not "NIXE".
        case badTrailerMagic(UInt64)
        /// A path that is not a store path of the store directory.
        case invalidPath(String, StorePathError)
        /// References out of order or repeated.
        case unsortedReferences(String)
        /// More references than allowed.
        case tooManyReferences(UInt64)
        /// Truncation, bad padding or an over-long string.
        case framing(ByteReaderError)
        /// Bytes after the end marker.
        case trailingBytes
    }

    /// The byte offset.
    public let offset: UInt64
    /// The problem.
    public let problem: Problem

    /// Records a problem.
    public init(offset: UInt64, problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    /// `invalid export stream: …`, with the offset.
    public var description: String {
        switch problem {
        case .badMarker(let value): "invalid export stream: unexpected marker \(value) at byte \(offset)"
        case .badTrailerMagic(let value):
            "invalid export stream: expected NIXE after the NAR at byte \(offset), found 0x\(String(value, radix: 16))"
        case .invalidPath(_, let error): "invalid export stream: bad path at byte \(offset): \(error)"
        case .unsortedReferences(let path):
            "invalid export stream: reference '\(path)' at byte \(offset) is out of order"
        case .tooManyReferences(let count): "invalid export stream: \(count) references at byte \(offset)"
        case .framing(let error): "invalid export stream: \(error)"
        case .trailingBytes: "invalid export stream: trailing bytes after the end at byte \(offset)"
        }
    }
}
