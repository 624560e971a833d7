/// Standard base64 (RFC 4648 §4) with `=` padding, as used in SRI hashes, key files and signatures.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = Int8(value) }
        return table
    }()

    /// Encodes bytes as padded base64.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded base64.
    ///
    /// - Returns: the bytes, or `nil` when the length is not a multiple of four, a character is
    ///   outside the alphabet, padding is misplaced, or unused bits are set.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        let characters = Array(string.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let isLast = index + 4 == characters.count
            var values = [UInt32](repeating: 0, count: 4)
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "=") {
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0 else { return nil }
                let value = decodeTable[Int(character)]
                guard value >= 0 else { return nil }
                values[offset] = UInt32(value)
            }
            let group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            output.append(UInt8(group >> 16 & 0xff))
            if padding < 2 { output.append(UInt8(group >> 8 & 0xff)) } else if group & 0xffff != 0 { return nil }
            if padding < 1 { output.append(UInt8(group & 0xff)) } else if group & 0xff != 0 { return nil }
            index += 4
        }
        return output
    }

    /// Decodes base64 as Nix 2.8 decodes hashes (and as Tvix accepts them): the `=` padding may
    /// be left out, and the unused low bits of the last character may be set.
    ///
    /// - Returns: the bytes, or `nil` for a character outside the alphabet, padding that is
    ///   misplaced or of the wrong length, or a length no encoding has (a multiple of four
    ///   plus one).
    public static func decodeIgnoringUnusedBits(_ string: some StringProtocol) -> [UInt8]? {
        var characters = Array(string.utf8)
        if let firstPad = characters.firstIndex(of: UInt8(ascii: "=")) {
            let padding = characters.count - firstPad
            guard characters[firstPad...].allSatisfy({ $0 == UInt8(ascii: "=") }), characters.count % 4 == 0,
                padding <= 2
            else { return nil }
            characters.removeLast(padding)
        }
        guard characters.count % 4 != 1 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            let value = decodeTable[Int(character)]
            guard value >= 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(accumulator >> UInt32(bits) & 0xff))
            }
        }
        return output
    }
}
