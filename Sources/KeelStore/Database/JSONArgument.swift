/// Lists of paths passed to SQLite as one JSON array (`... IN (SELECT value FROM json_each(?))`),
/// which has no limit on its length, unlike bound parameters.
enum JSONArgument {
    /// `strings` as a JSON array of strings.
    static func array(_ strings: [String]) -> String {
        // Byte by byte: only ASCII bytes are ever escaped, and no byte of a multi-byte UTF-8
        // sequence is ASCII, so the rest is copied as it is.
        let hexDigits = Array("0123456789abcdef".utf8)
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, string) in strings.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "\""))
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    json.append(UInt8(ascii: "\\"))
                    json.append(byte)
                case ..<0x20:
                    json.append(contentsOf: Array("\\u00".utf8))
                    json.append(hexDigits[Int(byte >> 4)])
                    json.append(hexDigits[Int(byte & 0xf)])
                default:
                    json.append(byte)
                }
            }
            json.append(UInt8(ascii: "\""))
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }
}
