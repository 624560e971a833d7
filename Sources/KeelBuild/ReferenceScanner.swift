import KeelFormats

/// Finds which of a set of store paths a byte stream refers to, by looking for their 32-character
/// hash parts anywhere in it, as Nix's reference scanner does over an output's NAR.
///
/// Bytes arrive in chunks of any size; a hash part split across chunks is still found.
public struct ReferenceScanner: Sendable {
    private static let length = StorePath.hashPartLength
    private let candidates: [HashPartKey: StorePath]
    /// The candidates seen so far.
    public private(set) var found: Set<StorePath> = []
    /// The last `length - 1` bytes of what came before, to match across a chunk boundary.
    private var carry: [UInt8] = []

    /// A scanner for references to `candidates`.
    public init(candidates: some Sequence<StorePath>) {
        var table: [HashPartKey: StorePath] = [:]
        for path in candidates {
            if let key = HashPartKey(Array(path.hashPart.utf8)[...]) { table[key] = path }
        }
        self.candidates = table
    }

    /// Scans the next bytes of the stream.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer) {
        guard !candidates.isEmpty, !chunk.isEmpty else { return }
        let length = Self.length
        if !carry.isEmpty {
            // Windows that start in the carried bytes and end in this chunk.
            var joined = carry
            joined.append(contentsOf: chunk.prefix(length - 1))
            joined.withUnsafeBytes { search($0, windowStartsBefore: carry.count) }
        }
        search(chunk, windowStartsBefore: chunk.count)
        if chunk.count >= length - 1 {
            carry = Array(chunk.suffix(length - 1))
        } else {
            carry.append(contentsOf: chunk)
            if carry.count > length - 1 { carry.removeFirst(carry.count - (length - 1)) }
        }
    }

    /// Looks at every 32-byte window of `bytes` starting before `limit`, skipping ahead past any
    /// byte that is not a base-32 digit (no window containing it can match).
    private mutating func search(_ bytes: UnsafeRawBufferPointer, windowStartsBefore limit: Int) {
        let length = Self.length
        var start = 0
        while start + length <= bytes.count && start < limit {
            var offset = length - 1
            while offset >= 0 && Self.isBase32[Int(bytes[start + offset])] { offset -= 1 }
            if offset >= 0 {
                start += offset + 1
                continue
            }
            if let key = HashPartKey(bytes[start..<(start + length)]), let path = candidates[key] {
                found.insert(path)
            }
            start += 1
        }
    }

    private static let isBase32: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in NixBase32.alphabet { table[Int(byte)] = true }
        return table
    }()
}

/// 32 base-32 digits packed into three words (12, 12 and 8 digits of 5 bits), so lookups
/// allocate nothing.
private struct HashPartKey: Hashable, Sendable {
    let high: UInt64
    let middle: UInt64
    let low: UInt64

    init?<Bytes: Collection<UInt8>>(_ digits: Bytes) where Bytes.Index == Int {
        guard digits.count == StorePath.hashPartLength else { return nil }
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in digits {
            guard let digit = Self.value[Int(byte)] else { return nil }
            switch index {
            case 0..<12: high = high << 5 | UInt64(digit)
            case 12..<24: middle = middle << 5 | UInt64(digit)
            default: low = low << 5 | UInt64(digit)
            }
            index += 1
        }
        self.high = high
        self.middle = middle
        self.low = low
    }

    private static let value: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 256)
        for (index, byte) in NixBase32.alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()
}
