/// Turns byte offsets into a UTF-8 text into line:column positions, counting columns in Unicode scalars.
///
/// Offsets are asked for in increasing order while a document is read, so the cursor walks forward from the last
/// answer and the whole text is counted once; an earlier offset restarts the count from the beginning.
struct SourcePositionCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Where line 1, column 1 is: after a byte order mark, which toml++ skips before counting.
    private let start: Int
    private var offset: Int
    private var line = 1
    private var column = 1

    /// A cursor at line 1, column 1 of `bytes`, which begins at `start`.
    init(bytes: UnsafeBufferPointer<UInt8>, start: Int) {
        self.bytes = bytes
        self.start = start
        self.offset = start
    }

    /// The position of the byte at `target` (or of the end of the text when `target` is past it).
    mutating func position(at target: Int) -> SourcePosition {
        if target < offset {
            offset = start
            line = 1
            column = 1
        }
        let end = min(target, bytes.count)
        while offset < end {
            let byte = bytes[offset]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Every byte but a UTF-8 continuation byte starts a scalar.
                column += 1
            }
            offset += 1
        }
        return SourcePosition(line: line, column: column)
    }
}
