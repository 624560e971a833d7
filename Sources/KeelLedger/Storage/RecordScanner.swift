import KeelLinux
import SystemPackage

/// One record as the scanner found it: its body, the hash stored after it, and where it sits.
///
/// `body` points into the scanner's buffer and is valid only during the visit.
struct ScannedRecord {
    /// The body bytes.
    let body: UnsafeRawBufferPointer
    /// The hash stored after the body.
    let storedHash: LedgerHash
    /// Where the record starts in the file.
    let offset: UInt64
    /// Where the record ends (the next record's offset).
    let end: UInt64

    /// The sequence number in the body (its first 8 bytes, big-endian).
    var sequence: UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(body[index]) }
        return value
    }

    /// The previous-hash field (the body's last 32 bytes).
    var previousHash: LedgerHash {
        LedgerHash(loading: UnsafeRawBufferPointer(rebasing: body[(body.count - 32)...]))
    }
}

/// How a scan of records ended.
enum ScanEnd: Equatable {
    /// Every byte up to the end was a whole record (or the visitor stopped).
    case complete
    /// The bytes at `offset` are not a whole record: `reason` says why.
    case incomplete(offset: UInt64, reason: String)
}

/// Reads the records of an entries file in order with large sequential reads.
struct RecordScanner {
    private let fd: FileDescriptor
    private let end: UInt64
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var consumed = 0
    private var bufferOffset: UInt64
    /// How much the next read asks for: small at first (a reader after one entry reads little),
    /// doubling up to 4 MiB for long scans.
    private var readSize = 64 << 10

    /// A scanner over the records between `start` and `end` of the entries file open as `fd`.
    init(fd: FileDescriptor, start: UInt64, end: UInt64) {
        self.fd = fd
        self.end = end
        bufferOffset = start
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
    }

    /// Frees the buffer.
    mutating func close() { buffer.deallocate() }

    /// Calls `visit` for each record until it returns false or the records end.
    mutating func scan(_ visit: (ScannedRecord) throws(LedgerError) -> Bool) throws(LedgerError) -> ScanEnd {
        while true {
            let offset = bufferOffset + UInt64(consumed)
            if offset >= end { return .complete }
            guard try ensure(4) else {
                return .incomplete(offset: offset, reason: "the file ends inside a record's length")
            }
            var length = 0
            for index in 0..<4 { length = length << 8 | Int(buffer[consumed + index]) }
            guard length >= EntryEncoding.minimumBodyLength, length <= EntryEncoding.maximumBodyLength else {
                return .incomplete(offset: offset, reason: "a record's length (\(length)) is impossible")
            }
            let total = 4 + length + 32
            guard try ensure(total) else { return .incomplete(offset: offset, reason: "the file ends inside a record") }
            let body = UnsafeRawBufferPointer(rebasing: buffer[(consumed + 4)..<(consumed + 4 + length)])
            let stored = LedgerHash(
                loading: UnsafeRawBufferPointer(rebasing: buffer[(consumed + 4 + length)..<(consumed + total)]))
            let record = ScannedRecord(body: body, storedHash: stored, offset: offset, end: offset + UInt64(total))
            consumed += total
            if try !visit(record) { return .complete }
        }
    }

    /// Makes at least `count` unread bytes available; false when the region ends first.
    private mutating func ensure(_ count: Int) throws(LedgerError) -> Bool {
        if filled - consumed >= count { return true }
        let remaining = filled - consumed
        if consumed > 0 {
            if remaining > 0 {
                (buffer.baseAddress! + 0).copyMemory(from: buffer.baseAddress! + consumed, byteCount: remaining)
            }
            bufferOffset += UInt64(consumed)
            filled = remaining
            consumed = 0
        }
        if buffer.count < max(count, filled + readSize) {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, filled + readSize), alignment: 64)
            if filled > 0 { larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled) }
            buffer.deallocate()
            buffer = larger
        }
        while filled < count {
            let available = end - (bufferOffset + UInt64(filled))
            if available == 0 { return false }
            let want = min(buffer.count - filled, Int(min(available, UInt64(Int.max))))
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + want)])
            let got: Int
            do { got = try FileSystem.read(fd, into: target, at: bufferOffset + UInt64(filled)) } catch {
                throw .fileSystem("cannot read the ledger's entries", error)
            }
            if got == 0 { return false }
            filled += got
        }
        readSize = min(readSize * 2, 4 << 20)
        return true
    }
}
