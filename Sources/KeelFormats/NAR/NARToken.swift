/// The keyword strings of the NAR grammar (spec/nix-formats.md §1.2).
public enum NARToken {
    /// `nix-archive-1`, the magic string every NAR starts with.
    public static let magic: [UInt8] = Array("nix-archive-1".utf8)
    /// `(`
    public static let open: [UInt8] = [UInt8(ascii: "(")]
    /// `)`
    public static let close: [UInt8] = [UInt8(ascii: ")")]
    /// `type`
    public static let type: [UInt8] = Array("type".utf8)
    /// `regular`
    public static let regular: [UInt8] = Array("regular".utf8)
    /// `executable`
    public static let executable: [UInt8] = Array("executable".utf8)
    /// `contents`
    public static let contents: [UInt8] = Array("contents".utf8)
    /// `symlink`
    public static let symlink: [UInt8] = Array("symlink".utf8)
    /// `target`
    public static let target: [UInt8] = Array("target".utf8)
    /// `directory`
    public static let directory: [UInt8] = Array("directory".utf8)
    /// `entry`
    public static let entry: [UInt8] = Array("entry".utf8)
    /// `name`
    public static let name: [UInt8] = Array("name".utf8)
    /// `node`
    public static let node: [UInt8] = Array("node".utf8)
}

/// Rules for NAR entry names.
public enum NARName {
    /// The longest name accepted (NAME_MAX).
    public static let maxLength = 255

    /// Why `name` cannot be an entry name, or `nil` when it can.
    public static func problem(with name: [UInt8]) -> String? {
        if name.isEmpty { return "empty name" }
        if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] {
            return "'.' and '..' are not allowed"
        }
        if name.contains(UInt8(ascii: "/")) { return "contains '/'" }
        if name.contains(0) { return "contains NUL" }
        if name.count > maxLength { return "longer than \(maxLength) bytes" }
        return nil
    }

    /// A name made printable for messages: UTF-8 with invalid bytes and controls escaped.
    public static func display(_ name: [UInt8]) -> String {
        var output = ""
        for byte in name.prefix(200) {
            if byte >= 0x20 && byte < 0x7f {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "\\x" + Base16.encode([byte])
            }
        }
        if name.count > 200 { output += "…" }
        return output
    }
}
