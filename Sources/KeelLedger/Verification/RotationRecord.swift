import Foundation

/// Reading `ledger.key-rotated` entries.
enum RotationRecord {
    private static let kind = Array(LedgerKind.keyRotated.rawValue.utf8)

    /// Whether a body's kind is `ledger.key-rotated`, without decoding the rest.
    static func isRotation(_ body: UnsafeRawBufferPointer) -> Bool {
        var offset = 16
        func length() -> Int? {
            guard body.count >= offset + 4 else { return nil }
            var value = 0
            for index in 0..<4 { value = value << 8 | Int(body[offset + index]) }
            offset += 4
            return value
        }
        guard let actor = length(), body.count >= offset + actor else { return false }
        offset += actor
        guard let kindLength = length(), kindLength == kind.count, body.count >= offset + kindLength else {
            return false
        }
        return body[offset..<(offset + kindLength)].elementsEqual(kind)
    }

    /// The `old` and `new` public keys a rotation's details name.
    static func keys(in details: String) -> [String] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(details.utf8))) as? [String: Any] else {
            return []
        }
        return ["old", "new"].compactMap { object[$0] as? String }
    }
}
