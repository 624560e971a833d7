/// The content of a pax extended header being written: `LENGTH KEY=VALUE\n` records, LENGTH
/// counting the whole record including its own digits, in the order they were added.
struct PaxRecords {
    /// The encoded records.
    private(set) var bytes: [UInt8] = []

    /// Whether no record was added.
    var isEmpty: Bool { bytes.isEmpty }

    /// Appends the record `key=value`.
    mutating func append(_ key: String, _ value: [UInt8]) {
        let body = Array(" \(key)=".utf8) + value + [0x0a]
        // The length counts its own digits: grow it until it is stable.
        var length = body.count
        while true {
            let next = body.count + String(length).utf8.count
            if next == length { break }
            length = next
        }
        bytes += Array(String(length).utf8) + body
    }
}
