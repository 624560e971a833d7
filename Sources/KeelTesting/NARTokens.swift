/// NAR bytes built token by token, so tests can write archives the writer never would
/// (bad names, unknown fields, out-of-order entries).
public enum NARTokens {
    /// One token as a NAR frames it: its length as 8 little-endian bytes, the bytes, zero padding
    /// to a multiple of 8.
    public static func frame(_ bytes: [UInt8]) -> [UInt8] {
        var out = withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) }
        out += bytes
        out += [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
        return out
    }

    /// An archive of these tokens, each framed.
    public static func archive(_ tokens: [String]) -> [UInt8] {
        tokens.flatMap { frame(Array($0.utf8)) }
    }

    /// The archive of a directory with these entries, each given as the tokens that follow its
    /// `name` keyword (the name, `node`, and the node's tokens).
    public static func directory(_ entries: [[String]]) -> [UInt8] {
        var tokens = ["nix-archive-1", "(", "type", "directory"]
        for entry in entries { tokens += ["entry", "(", "name"] + entry + [")"] }
        return archive(tokens + [")"])
    }
}
