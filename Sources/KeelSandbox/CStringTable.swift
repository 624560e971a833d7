/// C strings kept alive for one spawn.
struct CStringTable {
    private var allocations: [UnsafeMutablePointer<CChar>] = []
    private var vectors: [UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>] = []
    private var rawBuffers: [UnsafeMutableRawPointer] = []

    mutating func string(_ text: String) -> UnsafePointer<CChar> {
        UnsafePointer(copy(text))
    }

    private mutating func copy(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        for (index, byte) in utf8.enumerated() { copy[index] = CChar(bitPattern: byte) }
        copy[utf8.count] = 0
        allocations.append(copy)
        return copy
    }

    /// A copy of `bytes` (not NUL-terminated; the caller passes the length).
    mutating func bytes(_ bytes: [UInt8]) -> UnsafePointer<CChar> {
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
        for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
        allocations.append(copy)
        return UnsafePointer(copy)
    }

    mutating func vector(_ items: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let vector = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (index, item) in items.enumerated() { vector[index] = copy(item) }
        vector[items.count] = nil
        vectors.append(vector)
        return UnsafePointer(vector)
    }

    /// A copy of `items` in memory kept until `free()`.
    mutating func array<Element: BitwiseCopyable>(_ items: [Element]) -> UnsafePointer<Element> {
        let copy = UnsafeMutablePointer<Element>.allocate(capacity: max(1, items.count))
        for (index, item) in items.enumerated() { (copy + index).initialize(to: item) }
        rawBuffers.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    mutating func free() {
        for buffer in rawBuffers { buffer.deallocate() }
        rawBuffers = []
        for pointer in allocations { pointer.deallocate() }
        for vector in vectors { vector.deallocate() }
        allocations = []
        vectors = []
    }
}
