import Foundation
import Glibc
import KeelLinux
import KeelTesting
import Testing

@Suite("Reading a whole file", .ownThreads)
struct WholeFileTests {
    @Test("a file over several read chunks comes back byte for byte, up to its limit and no further")
    func largeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<200_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = directory.appending("large")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try FileSystem.readWholeFile(path) == bytes)
        #expect(try FileSystem.readWholeFile(path, limit: bytes.count) == bytes)
        #expect {
            _ = try FileSystem.readWholeFile(path, limit: bytes.count - 1)
        } throws: { error in
            (error as? SystemError)?.errno == EFBIG && "\(error)".contains(path)
        }
    }

    @Test("small limits hold exactly; an empty file is empty")
    func smallLimits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("small")
        try Data("0123456789\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try FileSystem.readWholeFile(path, limit: 11) == Array("0123456789\n".utf8))
        #expect(throws: SystemError.self) { try FileSystem.readWholeFile(path, limit: 10) }
        #expect(throws: SystemError.self) { try FileSystem.readWholeFile(path, limit: 0) }
        let empty = directory.appending("empty")
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(try FileSystem.readWholeFile(empty, limit: 0) == [])
        #expect(try FileSystem.readWholeFile(empty) == [])
    }

    @Test("/proc files, which the kernel hands out in pieces, are read to their end")
    func procFiles() throws {
        let stat = String(decoding: try FileSystem.readWholeFile("/proc/self/stat", limit: 4096), as: UTF8.self)
        #expect(stat.hasPrefix("\(getpid()) ("), "\(stat)")
        // More than a page: the kernel's sequential files return one page per read.
        let maps = String(decoding: try FileSystem.readWholeFile("/proc/self/maps", limit: 1 << 24), as: UTF8.self)
        let lines = maps.split(separator: "\n")
        #expect(maps.utf8.count > 4096 && maps.hasSuffix("\n"))
        #expect(lines.contains { $0.hasSuffix("[stack]") })
    }
}
