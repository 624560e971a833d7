import Foundation
import KeelCache
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import SystemPackage
import Testing

/// The framing of the `keel copy` SSH protocol: every field from the far side is validated, and
/// a server fed malformed or truncated input registers nothing.
@Suite("keel copy protocol framing", .ownThreads)
struct SSHCopyProtocolTests {
    private static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private static func string(_ bytes: [UInt8]) -> [UInt8] {
        u64(UInt64(bytes.count)) + bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
    }

    private static func chunks(_ bytes: [UInt8], size: Int = 1000) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: size) {
            let piece = bytes[start..<min(start + size, bytes.count)]
            out += u64(UInt64(piece.count)) + piece
        }
        return out
    }

    /// Calls `body` with a reader over `bytes` (from a file in `directory`).
    private static func reading<T>(
        _ bytes: [UInt8], in directory: TemporaryDirectory, _ body: (RemoteStoreFrameReader) throws -> T
    ) throws -> T {
        let path = directory.appending("input-\(UInt64.random(in: 0...UInt64.max))")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = try FileSystem.openForReading(Array(path.utf8))
        defer { FileSystem.close(fd) }
        return try body(RemoteStoreFrameReader(fd: fd, peer: "the peer"))
    }

    /// The message of the `CacheError` `body` throws, or nil.
    private static func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as CacheError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("Malformed fields are refused with a message naming the problem")
    func malformedFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StoreDirectory("/nix/store")
        func message(_ bytes: [UInt8], _ read: @escaping (RemoteStoreFrameReader) throws -> Void) throws -> String? {
            try Self.reading(bytes, in: directory) { reader in Self.failure { try read(reader) } }
        }
        let badPadding = Self.u64(3) + Array("abc".utf8) + [0, 0, 0, 0, 1]
        #expect(
            try message(badPadding) { _ = try $0.readString("name", limit: 10) }?.contains("non-zero padding") == true)
        #expect(
            try message(Self.string(Array("abcdefghijk".utf8))) { _ = try $0.readString("name", limit: 10) }?
                .contains("11 bytes (the limit is 10)") == true)
        #expect(
            try message(Self.string([0xff, 0xfe])) { _ = try $0.readString("name", limit: 10) }?
                .contains("not UTF-8") == true)
        #expect(
            try message([1, 2, 3]) { _ = try $0.readUInt64("request") }?
                .contains("closed the connection in the middle of request") == true)
        #expect(
            try message(Self.u64(100) + Array("short".utf8)) { _ = try $0.readString("name", limit: 200) }?
                .contains("closed the connection") == true)
        #expect(try message(Self.u64(1 << 21)) { _ = try $0.readStorePaths(in: store) }?.contains("the limit") == true)
        #expect(
            try message(Self.u64(1) + Self.string(Array("/etc/passwd".utf8))) { _ = try $0.readStorePaths(in: store) }?
                .contains("not a store path of /nix/store") == true)
        #expect(
            try message(Self.u64(7)) { try $0.readStatus(of: "answer") }?.contains("unknown reply status 7") == true)
        let refused = Self.u64(1) + Self.string(Array("no such path".utf8))
        #expect(try message(refused) { try $0.readStatus(of: "answer") } == "the peer refused to answer: no such path")
        #expect(try Self.reading([], in: directory) { try $0.readUInt64OrEnd("request") } == nil)
        let valid = Self.u64(1) + Self.string(Array("/nix/store/00000000000000000000000000000000-a".utf8))
        #expect(
            try Self.reading(valid, in: directory) { try $0.readStorePaths(in: store).map(\.baseName) }
                == ["00000000000000000000000000000000-a"])
    }

    @Test("Chunked streams: data up to the zero length; oversized, abandoned or cut short streams fail")
    func chunkedStreams() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func drained(_ bytes: [UInt8]) throws -> (data: [UInt8], error: String?) {
            try Self.reading(bytes, in: directory) { reader in
                let input = RemoteStoreChunkedInput(reader: reader)
                var source = input.source
                var data: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 300)
                let error = Self.failure {
                    while true {
                        let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                        if count == 0 { break }
                        data += buffer[..<count]
                    }
                }
                return (data, error)
            }
        }
        let payload = (0..<2500).map { UInt8(truncatingIfNeeded: $0) }
        let good = try drained(Self.chunks(payload) + Self.u64(0) + Self.u64(99))
        #expect(good.data == payload && good.error == nil, "the bytes after the end stay unread")
        #expect(try drained(Self.u64(UInt64(2 << 20))).error?.contains("the limit is 1048576") == true)
        let abandoned = try drained(Self.chunks(payload) + Self.u64(.max) + Self.string(Array("disk full".utf8)))
        #expect(abandoned.error == "the sending side gave up: disk full")
        let cut = try drained(Self.u64(1000) + payload[0..<10])
        #expect(cut.error?.contains("closed the connection in the middle of a chunk") == true)
        #expect(try drained(Self.chunks(payload)).error?.contains("a chunk length") == true)
    }

    @Test("A server refuses a wrong handshake and unknown requests")
    func serverHandshake() throws {
        let fixture = try SSHServerFixture()
        defer { fixture.directory.remove() }
        #expect(try fixture.serve(Self.u64(0x1234))?.contains("did not start with the keel copy handshake") == true)
        let hello = Self.u64(RemoteStoreProtocol.clientMagic) + Self.u64(RemoteStoreProtocol.version)
        #expect(try fixture.serve(hello + Self.u64(42))?.contains("unknown request 42") == true)
        #expect(try fixture.serve(hello + Self.u64(2))?.contains("in the middle of") == true)
        #expect(
            try fixture.serve(Self.u64(RemoteStoreProtocol.clientMagic) + Self.u64(9))?.contains("version 9") == true)
        #expect(try fixture.serve(hello + Self.u64(0)) == nil)
        #expect(try fixture.serve(hello) == nil, "the end of input between requests ends the session")
    }

    @Test("An import stream cut short, or one the store refuses, registers nothing and leaves no staging")
    func serverImports() throws {
        let fixture = try SSHServerFixture()
        defer { fixture.directory.remove() }
        let store = fixture.store
        let base = try store.addText(name: "base", contents: Array("base\n".utf8), references: [])
        let top = try store.addText(name: "top", contents: Array("top\n".utf8), references: [base])
        let whole = try fixture.export([top, base])
        let alone = try fixture.export([top])
        _ = try store.delete([top, base])
        let hello = Self.u64(RemoteStoreProtocol.clientMagic) + Self.u64(RemoteStoreProtocol.version)
        let importing = hello + Self.u64(RemoteStoreProtocol.Request.importPaths.rawValue)

        let cut = try fixture.serve(importing + Self.chunks(Array(whole[..<(whole.count / 2)])))
        #expect(cut?.contains("closed the connection in the middle of") == true)
        #expect(try !store.isValid(base) && !store.isValid(top))
        #expect(try fixture.leftovers().isEmpty)

        let lying = try fixture.serve(importing + Self.chunks(whole) + Self.u64(5000))
        #expect(lying?.contains("closed the connection") == true)
        #expect(try !store.isValid(base) && !store.isValid(top))

        // A stream the store refuses gets a failure reply, and the session goes on.
        #expect(try fixture.serve(importing + Self.chunks(alone) + Self.u64(0) + Self.u64(0)) == nil)
        #expect(fixture.output.contains("neither valid nor in the stream"))
        #expect(try !store.isValid(top))
        #expect(try fixture.leftovers().isEmpty)

        #expect(try fixture.serve(importing + Self.chunks(whole) + Self.u64(0) + Self.u64(0)) == nil)
        #expect(try store.isValid(base) && store.isValid(top))
    }
}

/// A store in a temporary root and a server over it fed from files.
private final class SSHServerFixture {
    let directory: TemporaryDirectory
    let store: LocalStore
    /// What the last `serve` wrote, as text (binary fields included).
    private(set) var output = ""

    init() throws {
        directory = try TemporaryDirectory()
        store = try LocalStore(layout: StoreLayout(root: directory.appending("root")))
    }

    /// Serves `input`; returns the error's message, or nil when the session ended cleanly.
    func serve(_ input: [UInt8]) throws -> String? {
        let inputPath = directory.appending("input")
        let outputPath = directory.appending("output")
        try Data(input).write(to: URL(fileURLWithPath: inputPath))
        try Data().write(to: URL(fileURLWithPath: outputPath))
        let inputFD = try FileSystem.openForReading(Array(inputPath.utf8))
        defer { FileSystem.close(inputFD) }
        let outputFD = try FileSystem.openOrCreate(Array(outputPath.utf8))
        defer { FileSystem.close(outputFD) }
        defer {
            output = String(
                decoding: (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data(), as: UTF8.self)
        }
        do {
            try RemoteStoreServer(store: store, input: inputFD, output: outputFD).serve()
            return nil
        } catch {
            return error.message
        }
    }

    /// `paths` as an export stream.
    func export(_ paths: [StorePath]) throws -> [UInt8] {
        let path = directory.appending("export")
        try Data().write(to: URL(fileURLWithPath: path))
        let fd = try FileSystem.openOrCreate(Array(path.utf8))
        try store.export(paths, to: fd)
        FileSystem.close(fd)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Staging entries and locks left in the store directory.
    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.layout.storeDirectory.path).filter {
            $0.hasPrefix(".keel-tmp-") || $0.hasSuffix(".lock")
        }
    }
}
