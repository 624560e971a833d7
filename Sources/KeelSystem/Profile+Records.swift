import Foundation
import KeelLinux
import SystemPackage

extension Profile {
    /// The largest record file read; a real one is a few hundred bytes.
    static let recordSizeLimit = 64 * 1024

    /// The record of generation `number` in the records directory `records`, or nil when there
    /// is none.
    ///
    /// - Throws: `ProfileError.badRecord` naming the file when it is not a record (not a regular
    ///   file, too large, or not the JSON of one).
    func readRecord(_ number: Int, in records: FileDescriptor) throws(ProfileError) -> GenerationRecord? {
        let location = recordPath(of: number)
        let fd: FileDescriptor
        do { fd = try FileSystem.openForReading(ProfileNames.recordFile(number), in: records) } catch {
            if error.errno == ENOENT { return nil }
            if error.errno == ELOOP { throw Self.notARecord(location, number, why: "it is a symlink") }
            throw ProfileError(.fileSystem, "cannot open the generation record '\(location)'", cause: error)
        }
        defer { FileSystem.close(fd) }
        let bytes: [UInt8]
        do {
            let status = try FileSystem.status(of: fd)
            guard status.kind == .regular else { throw Self.notARecord(location, number, why: "not a regular file") }
            guard status.size <= Self.recordSizeLimit else {
                throw Self.notARecord(location, number, why: "larger than \(Self.recordSizeLimit) bytes")
            }
            bytes = try FileSystem.read(fd, count: Int(status.size), at: 0)
        } catch let error as ProfileError {
            throw error
        } catch let error as KeelLinux.SystemError {
            throw ProfileError(.fileSystem, "cannot read the generation record '\(location)'", cause: error)
        } catch {
            throw ProfileError(.fileSystem, "cannot read the generation record '\(location)': \(error)")
        }
        do { return try JSONDecoder().decode(GenerationRecord.self, from: Data(bytes)) } catch {
            throw Self.notARecord(location, number, why: "not the JSON of a generation record")
        }
    }

    /// Writes `record` as the record of its generation, atomically: a temporary file, synced,
    /// renamed over `N.json`, and the directory synced.
    func writeRecord(_ record: GenerationRecord, in records: FileDescriptor) throws(ProfileError) {
        let location = recordPath(of: record.number)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(record)) + [UInt8(ascii: "\n")] } catch {
            throw ProfileError(.badInput, "cannot encode the generation record '\(location)': \(error)")
        }
        let temporary = ProfileNames.temporaryRecord
        do {
            let fd = try FileSystem.createFile(temporary, in: records, permissions: 0o644)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, bytes, at: 0)
            try FileSystem.sync(fd)
            try FileSystem.rename(temporary, in: records, to: ProfileNames.recordFile(record.number), in: records)
            try FileSystem.sync(records)
        } catch {
            try? FileSystem.remove(temporary, in: records, isDirectory: false)
            throw ProfileError(.fileSystem, "cannot write the generation record '\(location)'", cause: error)
        }
    }

    private static func notARecord(_ location: String, _ number: Int, why: String) -> ProfileError {
        ProfileError(
            .badRecord,
            "'\(location)' is not a generation record (\(why)); remove it, and generation \(number) reads as pending")
    }
}
