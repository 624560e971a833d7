/// Memory an agent allocates and touches to trip a memory limit, and then holds.
enum TestAgentMemory {
    /// One allocation: a mebibyte.
    private static let chunk = 1 << 20
    /// Bytes between two writes: a page.
    private static let page = 4096

    /// Allocates `mebibytes` MiB a mebibyte at a time, writing to every page so each is
    /// really resident, and reports every 16 MiB and the total.
    ///
    /// - Returns: the allocations, never freed; keep them alive (`withExtendedLifetime`) for as
    ///   long as the memory is to be held, so no write to it counts as dead.
    static func eat(mebibytes: Int, output: TestAgentOutput) -> [UnsafeMutableRawPointer] {
        guard mebibytes > 0 else { return [] }
        var held: [UnsafeMutableRawPointer] = []
        held.reserveCapacity(mebibytes)
        for eaten in 1...mebibytes {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: page)
            for offset in stride(from: 0, to: chunk, by: page) {
                memory.storeBytes(
                    of: UInt8(truncatingIfNeeded: offset / page | 1), toByteOffset: offset, as: UInt8.self)
            }
            held.append(memory)
            if eaten % 16 == 0, eaten < mebibytes { output.line("eat-memory: \(eaten) of \(mebibytes) MiB touched") }
        }
        output.line("eat-memory: holding \(mebibytes) MiB")
        return held
    }
}
