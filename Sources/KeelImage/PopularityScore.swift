/// A non-negative integer of any size: popularity scores count paths through the reference graph,
/// which can grow exponentially with its depth, so they must neither wrap nor trap.
struct PopularityScore: Sendable, Comparable {
    /// The low 64 bits.
    private var low: UInt64
    /// The higher 64-bit words, least significant first, without trailing zero words (usually none).
    private var high: [UInt64]

    /// The score `value`.
    init(_ value: UInt64 = 0) {
        low = value
        high = []
    }

    /// Adds `other`.
    mutating func add(_ other: PopularityScore) {
        let (sum, overflow) = low.addingReportingOverflow(other.low)
        low = sum
        guard overflow || !other.high.isEmpty else { return }
        var carry: UInt64 = overflow ? 1 : 0
        let count = max(high.count, other.high.count)
        if high.count < count { high.append(contentsOf: repeatElement(0, count: count - high.count)) }
        for index in 0..<count {
            let addend = index < other.high.count ? other.high[index] : 0
            let (partial, firstOverflow) = high[index].addingReportingOverflow(addend)
            let (total, secondOverflow) = partial.addingReportingOverflow(carry)
            high[index] = total
            carry = (firstOverflow ? 1 : 0) + (secondOverflow ? 1 : 0)
        }
        if carry > 0 { high.append(carry) }
    }

    static func < (lhs: PopularityScore, rhs: PopularityScore) -> Bool {
        if lhs.high.count != rhs.high.count { return lhs.high.count < rhs.high.count }
        for index in stride(from: lhs.high.count - 1, through: 0, by: -1) where lhs.high[index] != rhs.high[index] {
            return lhs.high[index] < rhs.high[index]
        }
        return lhs.low < rhs.low
    }
}
