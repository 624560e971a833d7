/// A small, fast, seeded random number generator (SplitMix64), so a failing random test can be
/// repeated from the seed it prints.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// The seed a randomised test uses: `KEEL_TEST_SEED` when set, else a fresh one.
public func testSeed() -> UInt64 {
    if let text = Environment.value("KEEL_TEST_SEED"), let seed = UInt64(text) { return seed }
    return UInt64.random(in: 0...UInt64.max)
}
