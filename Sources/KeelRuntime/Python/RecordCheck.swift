/// Checks one member's content, as it streams past, against the hash and size the wheel's
/// RECORD gives for it.
struct RecordCheck {
    private let expected: WheelRecord.Entry?
    private let member: String
    private let what: String
    private var hasher: RecordHasher?
    private var size: UInt64 = 0

    /// A check of the member `member` of `wheel` against `expected` (nil for a file RECORD
    /// need not list, such as its signature, which is not checked).
    init(expected: WheelRecord.Entry?, member: String, what: String) {
        self.expected = expected
        self.member = member
        self.what = what
        hasher = expected?.digest.map { RecordHasher($0.algorithm) }
    }

    /// Feeds the next bytes of the content.
    mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hasher?.update(chunk)
        size += UInt64(chunk.count)
    }

    /// Checks the whole content.
    ///
    /// - Throws: `RuntimeError` naming the wheel, the member and both hashes (or sizes) when
    ///   they differ.
    func finish() throws(RuntimeError) {
        guard let expected else { return }
        if let digest = expected.digest, let hasher {
            let actual = hasher.finish()
            guard actual.encoded == digest.encoded else {
                throw RuntimeError(
                    "\(what): member '\(member)' does not match its RECORD hash "
                        + "(RECORD says \(digest.text), the content has \(actual.text))")
            }
        }
        if let expectedSize = expected.size, expectedSize != size {
            throw RuntimeError(
                "\(what): member '\(member)' is \(size) bytes, but its RECORD line says \(expectedSize)")
        }
    }
}
