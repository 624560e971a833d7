/// A string of raw bytes that compares and sorts by those bytes.
///
/// Derivation fields (builder, arguments, environment) may hold any bytes, invalid UTF-8
/// included, and must round-trip exactly and sort as Nix sorts them (memcmp). Swift's `String`
/// compares by Unicode canonical equivalence, so it cannot stand in for them.
public struct ByteString: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps bytes.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The UTF-8 bytes of `string`.
    public init(_ string: String) { bytes = Array(string.utf8) }

    /// The UTF-8 bytes of a literal.
    public init(stringLiteral value: String) { self.init(value) }

    /// Orders by bytes, as unsigned values.
    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The bytes as UTF-8, with invalid sequences replaced by U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The bytes as a `String` when they are valid UTF-8.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }
}
