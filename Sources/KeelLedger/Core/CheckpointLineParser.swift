/// Reads checkpoint lines in exactly the form `Checkpoint.line` writes, without a JSON decoder
/// (a reader may parse thousands of them); any other form goes to the general decoder.
enum CheckpointLineParser {
    static func parse(_ bytes: ArraySlice<UInt8>) -> Checkpoint? {
        var index = bytes.startIndex
        func expect(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard bytes.endIndex - index >= count else { return false }
            let matches = literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
            if matches { index += count }
            return matches
        }
        func integer(allowingSign: Bool) -> Int64? {
            var negative = false
            if allowingSign, index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            var value: Int64 = 0
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow, index - start < 19 else { return nil }
                value = times + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > start else { return nil }
            return negative ? -value : value
        }
        func hash() -> LedgerHash? {
            guard bytes.endIndex - index >= 64 else { return nil }
            var raw = [UInt8](repeating: 0, count: 32)
            for position in 0..<32 {
                guard let high = nibble(bytes[index + 2 * position]), let low = nibble(bytes[index + 2 * position + 1])
                else { return nil }
                raw[position] = high << 4 | low
            }
            index += 64
            return LedgerHash(bytes: raw)
        }
        func text() -> String? {
            let start = index
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                index += 1
            }
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return nil }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        guard expect(#"{"size":"#), let size = integer(allowingSign: false), expect(#","root":""#),
            let root = hash(), expect(#"","time":"#),
            let time = integer(allowingSign: true), expect(#","offset":"#), let offset = integer(allowingSign: false),
            expect(#","signature":""#), let signature = text(), signature.utf8.contains(UInt8(ascii: ":")),
            expect(#""}"#),
            index == bytes.endIndex
        else { return nil }
        return Checkpoint(size: UInt64(size), root: root, time: time, offset: UInt64(offset), signature: signature)
    }

    /// The value of a lower-case hex digit.
    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
