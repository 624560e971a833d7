/// Finds and decodes a zip archive's central directory: the end record (and the zip64 end
/// record when there is one), then one entry per member.
///
/// The end record must end the file exactly (after its comment), and the central directory
/// must end where the end record starts: data before the archive (self-extracting zips) or
/// after it is refused, and so are archives split over several disks.
enum ZipCentralDirectory {
    private static var endRecordSize: Int { 22 }
    private static var zip64LocatorSize: Int { 20 }
    private static var zip64EndRecordSize: Int { 56 }
    /// The largest central directory read into memory.
    private static var directoryLimit: UInt64 { 256 << 20 }

    /// The members of the zip archive `file`, in central directory order.
    ///
    /// - Throws: `ArchiveError` when the archive is truncated, corrupt or of an unsupported kind.
    static func entries(of file: ArchiveFile) throws(ArchiveError) -> [ZipEntry] {
        guard file.size >= UInt64(endRecordSize) else {
            throw ArchiveError("zip: too short to hold an end of central directory record (truncated?)")
        }
        let tailLength = Int(min(file.size, UInt64(endRecordSize + 0xffff + zip64LocatorSize)))
        let tailStart = file.size - UInt64(tailLength)
        let tail = try file.read(count: tailLength, at: tailStart)
        guard tail.count == tailLength else { throw ArchiveError("zip: the file shrank while it was read") }
        guard let endRecord = findEndRecord(tail) else {
            throw ArchiveError("zip: no end of central directory record ends the file (truncated, or trailing garbage)")
        }
        var cursor = LittleEndianCursor(tail, at: endRecord + 4)
        let disk = cursor.uint16() ?? 0
        let directoryDisk = cursor.uint16() ?? 0
        var entriesOnDisk = UInt64(cursor.uint16() ?? 0)
        var entryCount = UInt64(cursor.uint16() ?? 0)
        var directorySize = UInt64(cursor.uint32() ?? 0)
        var directoryOffset = UInt64(cursor.uint32() ?? 0)
        var directoryEnd = tailStart + UInt64(endRecord)
        let locator = endRecord - zip64LocatorSize
        if locator >= 0, tail[locator..<locator + 4].elementsEqual([0x50, 0x4b, 0x06, 0x07]) {
            var locatorCursor = LittleEndianCursor(tail, at: locator + 4)
            let locatorDisk = locatorCursor.uint32() ?? 0
            let recordOffset = locatorCursor.uint64() ?? 0
            let diskCount = locatorCursor.uint32() ?? 0
            guard locatorDisk == 0, diskCount <= 1 else {
                throw ArchiveError("zip: archives split over several disks are not supported")
            }
            let locatorOffset = tailStart + UInt64(locator)
            guard recordOffset <= locatorOffset, locatorOffset - recordOffset >= UInt64(zip64EndRecordSize) else {
                throw ArchiveError("zip: the zip64 end record is not where its locator says (corrupt)")
            }
            let record = try file.read(count: zip64EndRecordSize, at: recordOffset)
            var recordCursor = LittleEndianCursor(record)
            guard record.count == zip64EndRecordSize, recordCursor.take(4) == [0x50, 0x4b, 0x06, 0x06] else {
                throw ArchiveError("zip: the zip64 end record is missing or corrupt")
            }
            _ = recordCursor.take(8 + 2 + 2)
            guard recordCursor.uint32() == 0, recordCursor.uint32() == 0 else {
                throw ArchiveError("zip: archives split over several disks are not supported")
            }
            entriesOnDisk = recordCursor.uint64() ?? 0
            entryCount = recordCursor.uint64() ?? 0
            directorySize = recordCursor.uint64() ?? 0
            directoryOffset = recordCursor.uint64() ?? 0
            directoryEnd = recordOffset
        } else if entryCount == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            throw ArchiveError("zip: the end record asks for a zip64 end record, which is missing (corrupt)")
        } else if disk != 0 || directoryDisk != 0 {
            throw ArchiveError("zip: archives split over several disks are not supported")
        }
        guard entriesOnDisk == entryCount else {
            throw ArchiveError("zip: archives split over several disks are not supported")
        }
        guard directoryOffset <= directoryEnd, directoryEnd - directoryOffset == directorySize else {
            throw ArchiveError(
                "zip: the central directory is not where the end record says (data before the archive, or corrupt)")
        }
        guard directorySize <= directoryLimit else {
            throw ArchiveError("zip: the central directory of \(directorySize) bytes is too large")
        }
        let directory = try file.read(count: Int(directorySize), at: directoryOffset)
        guard directory.count == Int(directorySize) else {
            throw ArchiveError("zip: the file shrank while it was read")
        }
        var entries: [ZipEntry] = []
        var entryCursor = LittleEndianCursor(directory)
        // Each central entry takes at least 46 bytes, which bounds the count before reserving.
        guard entryCount <= directorySize / 46 else {
            throw ArchiveError(
                "zip: the end record counts \(entryCount) members, more than the central directory holds")
        }
        entries.reserveCapacity(Int(entryCount))
        for index in 0..<entryCount {
            entries.append(try entry(&entryCursor, index: index, directoryOffset: directoryOffset))
        }
        guard entryCursor.isAtEnd else {
            throw ArchiveError(
                "zip: the central directory holds more than the \(entryCount) members the end record counts")
        }
        return entries
    }

    /// The offset in `tail` of the last end record whose comment ends exactly at the file's end.
    private static func findEndRecord(_ tail: [UInt8]) -> Int? {
        var candidate = tail.count - endRecordSize
        while candidate >= 0 {
            if tail[candidate] == 0x50, tail[candidate + 1] == 0x4b, tail[candidate + 2] == 0x05,
                tail[candidate + 3] == 0x06
            {
                let commentLength = Int(tail[candidate + 20]) | Int(tail[candidate + 21]) << 8
                if candidate + endRecordSize + commentLength == tail.count { return candidate }
            }
            candidate -= 1
        }
        return nil
    }

    /// Decodes the central directory entry at `cursor`.
    private static func entry(_ cursor: inout LittleEndianCursor, index: UInt64, directoryOffset: UInt64)
        throws(ArchiveError) -> ZipEntry
    {
        let corrupt = ArchiveError("zip: central directory entry \(index) is truncated or corrupt")
        guard cursor.take(4) == [0x50, 0x4b, 0x01, 0x02], let madeBy = cursor.uint16(), cursor.uint16() != nil,
            let flags = cursor.uint16(), let method = cursor.uint16(), cursor.take(4) != nil,
            let checksum = cursor.uint32(), let compressed32 = cursor.uint32(), let size32 = cursor.uint32(),
            let nameLength = cursor.uint16(), let extraLength = cursor.uint16(), let commentLength = cursor.uint16(),
            let diskStart16 = cursor.uint16(), cursor.uint16() != nil, let external = cursor.uint32(),
            let offset32 = cursor.uint32(), let name = cursor.take(Int(nameLength)),
            let extra = cursor.take(Int(extraLength)), cursor.take(Int(commentLength)) != nil
        else { throw corrupt }
        var size = UInt64(size32)
        var compressedSize = UInt64(compressed32)
        var localHeaderOffset = UInt64(offset32)
        var diskStart = UInt32(diskStart16)
        if size32 == 0xffff_ffff || compressed32 == 0xffff_ffff || offset32 == 0xffff_ffff || diskStart16 == 0xffff {
            // The zip64 extra field holds, in this order, the fields that overflowed.
            guard var zip64 = extraField(0x0001, in: extra) else {
                throw ArchiveError.member(name, "zip64 sizes without their zip64 extra field (corrupt)")
            }
            if size32 == 0xffff_ffff { size = zip64.uint64() ?? .max }
            if compressed32 == 0xffff_ffff { compressedSize = zip64.uint64() ?? .max }
            if offset32 == 0xffff_ffff { localHeaderOffset = zip64.uint64() ?? .max }
            if diskStart16 == 0xffff { diskStart = zip64.uint32() ?? .max }
            guard size != .max, compressedSize != .max, localHeaderOffset != .max, diskStart != .max else {
                throw ArchiveError.member(name, "truncated zip64 extra field (corrupt)")
            }
        }
        guard diskStart == 0 else {
            throw ArchiveError.member(name, "starts on another disk: split archives are not supported")
        }
        guard localHeaderOffset < directoryOffset else {
            throw ArchiveError.member(name, "its data lies outside the archive (corrupt)")
        }
        let host = madeBy >> 8
        let unixMode = host == 3 || host == 19 ? external >> 16 : 0  // Unix, or macOS
        let type = unixMode & 0o170000
        let kind: ZipEntry.Kind
        if name.last == UInt8(ascii: "/") || type == 0o040000 || (unixMode == 0 && external & 0x10 != 0) {
            kind = .directory
        } else if type == 0o120000 {
            kind = .symbolicLink
        } else if type == 0 || type == 0o100000 {
            kind = .regularFile
        } else {
            kind = .special
        }
        return ZipEntry(
            path: name, kind: kind, mode: unixMode & 0o7777, compressionMethod: method, isEncrypted: flags & 1 != 0,
            compressedSize: compressedSize, size: size, checksum: checksum, localHeaderOffset: localHeaderOffset)
    }

    /// A cursor over the data of the extra field `identifier`, if `extra` holds one.
    private static func extraField(_ identifier: UInt16, in extra: [UInt8]) -> LittleEndianCursor? {
        var cursor = LittleEndianCursor(extra)
        while let id = cursor.uint16(), let length = cursor.uint16(), let data = cursor.take(Int(length)) {
            if id == identifier { return LittleEndianCursor(data) }
        }
        return nil
    }
}
