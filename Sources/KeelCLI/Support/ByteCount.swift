/// A byte count for people: `512 bytes`, `12.3 MiB` (binary units, one decimal, rounded half up).
struct ByteCount: CustomStringConvertible {
    let bytes: UInt64

    init(_ bytes: UInt64) { self.bytes = bytes }

    var description: String {
        // Integer arithmetic rather than String(format:), whose first use costs about a millisecond.
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        var unit = 0
        var size: UInt64 = 1024
        while unit < units.count - 1 && bytes / 1024 >= size {
            size *= 1024
            unit += 1
        }
        let tenths = bytes / size * 10 + ((bytes % size) * 10 + size / 2) / size
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
