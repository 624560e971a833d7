/// The `nix-store --export` stream (spec/nix-formats.md §6): per path, `u64(1)`, the NAR,
/// `u64(0x4558494e)` ("NIXE"), the full path, its references, its deriver (or ""), `u64(0)`;
/// then `u64(0)` at the end. The stream carries no hashes: an importer hashes each NAR.
public enum ExportStream {
    /// The marker after each NAR.
    public static let trailerMagic: UInt64 = 0x4558_494e

    /// The bytes before a path's NAR.
    public static let pathStart: [UInt8] = frame(1)

    /// The bytes that end the stream.
    public static let end: [UInt8] = frame(0)

    /// The bytes after a path's NAR: magic, path, references (sorted), deriver, no signature.
    public static func trailer(for entry: ExportEntry) -> [UInt8] {
        var out = frame(trailerMagic)
        out += string(Array(entry.path.utf8))
        out += frame(UInt64(entry.references.count))
        for reference in entry.references.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            out += string(Array(reference.utf8))
        }
        out += string(Array((entry.deriver ?? "").utf8))
        out += frame(0)
        return out
    }

    /// A whole stream for paths whose NARs are in memory, in the order given.
    public static func write(_ paths: [(entry: ExportEntry, nar: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (entry, nar) in paths {
            out += pathStart
            out += nar
            out += trailer(for: entry)
        }
        return out + end
    }

    static func frame(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func string(_ bytes: [UInt8]) -> [UInt8] {
        frame(UInt64(bytes.count)) + bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
    }
}

/// One path's metadata in an export stream.
public struct ExportEntry: Hashable, Sendable {
    /// The full store path.
    public var path: String
    /// Full paths of its references (the path itself included when it refers to itself).
    public var references: [String]
    /// The full path of its deriver, if known.
    public var deriver: String?

    /// Makes an entry.
    public init(path: String, references: [String], deriver: String?) {
        self.path = path
        self.references = references
        self.deriver = deriver
    }
}

/// A path read from an export stream, with the hash and size of its NAR as received.
public struct ExportedPath: Hashable, Sendable {
    /// The path's metadata.
    public let entry: ExportEntry
    /// sha256 of the NAR bytes.
    public let narHash: NixHash
    /// The number of NAR bytes.
    public let narSize: UInt64
}
