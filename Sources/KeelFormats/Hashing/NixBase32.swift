/// Nix's own base32 encoding, used in store paths and hash strings.
///
/// It differs from RFC 4648: the alphabet is `0123456789abcdfghijklmnpqrsvwxyz` (no e, o, t, u),
/// the bytes are read as one little-endian integer written most significant group first, and
/// there is no padding. See spec/nix-formats.md §2.2.
public enum NixBase32 {
    /// The 32 characters, in value order.
    public static let alphabet: [UInt8] = Array("0123456789abcdfghijklmnpqrsvwxyz".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = Int8(value) }
        return table
    }()

    /// The number of characters that encode `byteCount` bytes.
    public static func encodedLength(byteCount: Int) -> Int {
        byteCount == 0 ? 0 : (byteCount * 8 - 1) / 5 + 1
    }

    /// Encodes bytes in Nix base32.
    ///
    /// - Parameter bytes: the raw bytes, for example a digest.
    /// - Returns: the encoded string, `encodedLength(byteCount:)` characters long.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let length = encodedLength(byteCount: input.count)
        var output = [UInt8]()
        output.reserveCapacity(length)
        var n = length - 1
        while n >= 0 {
            let bit = n * 5
            let index = bit / 8
            let shift = bit % 8
            var c = Int(input[index]) >> shift
            if index + 1 < input.count { c |= Int(input[index + 1]) << (8 - shift) }
            output.append(alphabet[c & 31])
            n -= 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a Nix base32 string into `byteCount` bytes.
    ///
    /// - Parameters:
    ///   - string: the encoded text.
    ///   - byteCount: how many bytes the text must encode.
    /// - Returns: the bytes, or `nil` when the length is wrong, a character lies outside the
    ///   alphabet (upper case included) or the value has bits set above `8 * byteCount`.
    public static func decode(_ string: some StringProtocol, byteCount: Int) -> [UInt8]? {
        let characters = Array(string.utf8)
        guard characters.count == encodedLength(byteCount: byteCount) else { return nil }
        var output = [UInt8](repeating: 0, count: byteCount)
        for (position, character) in characters.enumerated() {
            let digit = decodeTable[Int(character)]
            guard digit >= 0 else { return nil }
            let n = characters.count - 1 - position
            let bit = n * 5
            let index = bit / 8
            let shift = bit % 8
            output[index] |= UInt8(truncatingIfNeeded: Int(digit) << shift)
            let carry = Int(digit) >> (8 - shift)
            if index + 1 < byteCount {
                output[index + 1] |= UInt8(truncatingIfNeeded: carry)
            } else if carry != 0 {
                return nil
            }
        }
        return output
    }

    /// Whether `character` (an ASCII byte) belongs to the alphabet.
    public static func isValidCharacter(_ character: UInt8) -> Bool {
        decodeTable[Int(character)] >= 0
    }
}
