/// The compressed bytes a decompressor has read from its source but not consumed yet.
final class CompressedInput<Source: ByteSource> {
    private var source: Source
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Whether the source has reported its end.
    private(set) var sourceEnded = false

    init(source: Source, capacity: Int = 64 * 1024) {
        self.source = source
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// How many bytes are read but not consumed.
    var available: Int { end - start }

    /// The bytes read but not consumed.
    var unconsumed: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: storage[start..<end]) }

    /// Marks the first `count` unconsumed bytes as consumed.
    func consume(_ count: Int) { start += count }

    /// Reads more from the source after the unconsumed bytes (moved to the front first); false
    /// when nothing more came (the source ended, or there is no room left).
    func refill() throws(ArchiveError) -> Bool {
        if sourceEnded { return false }
        if start > 0 {
            if available > 0 {
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: available)
            }
            end = available
            start = 0
        }
        guard end < storage.count else { return false }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if count == 0 {
            sourceEnded = true
            return false
        }
        end += count
        return true
    }

    /// Refills until at least `count` bytes are unconsumed or the source ends; whether they are.
    func fill(atLeast count: Int) throws(ArchiveError) -> Bool {
        while available < count {
            if !(try refill()) { return false }
        }
        return true
    }
}
