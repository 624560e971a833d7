/// A size written as a string in keel.toml: a number with an optional binary unit ("512K",
/// "512M", "2G", "1T", "1.5G", "4096"); K is 1024 bytes. "KiB"/"MB"-style spellings are read the
/// same way (binary).
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The size in bytes.
    public let bytes: UInt64

    /// The largest size accepted: 2^60 bytes (an exbibyte).
    public static let maximum = ByteSize(bytes: 1 << 60)

    /// A size of `bytes`.
    public init(bytes: UInt64) { self.bytes = bytes }

    /// Parses `text`; the error says what is wrong and how to write it.
    public init(parsing text: String) throws(ConfigValueError) {
        let usage = "write a number with an optional unit K, M, G or T (powers of 1024), as in \"512M\" or \"2G\""
        let trimmed = Substring(text)
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, let value = Double(number) else {
            throw ConfigValueError("invalid size \"\(text)\"; \(usage)")
        }
        let unit = trimmed.dropFirst(number.count).uppercased()
        let shifts: [String: Int] = [
            "": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20, "G": 30, "GB": 30, "GIB": 30,
            "T": 40, "TB": 40, "TIB": 40,
        ]
        guard let shift = shifts[unit] else {
            throw ConfigValueError("size \"\(text)\" has unknown unit \"\(unit)\"; \(usage)")
        }
        let total = value * Double(UInt64(1) << shift)
        guard total <= Double(Self.maximum.bytes) else { throw ConfigValueError("size \"\(text)\" is too large") }
        guard total.rounded() == total else {
            throw ConfigValueError("size \"\(text)\" is not a whole number of bytes")
        }
        bytes = UInt64(total)
    }

    /// The shortest spelling that gives the same size back ("512M", "1536K").
    public var description: String {
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)]
        where bytes > 0 && bytes % (UInt64(1) << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }

    /// Orders by value.
    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}
