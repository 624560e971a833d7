import Foundation
import KeelArchive
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting
import Synchronization
import Testing

@Suite("CacheWriter", .ownThreads)
struct CachePushTests {
    @Test(
        "a push writes every path's NAR and narinfo (NAR hashes as recorded); a second push skips them all",
        arguments: CacheCompression.allCases)
    func pushThenSkip(compression: CacheCompression) throws {
        let fixture = try CachePushFixture()
        let cache = fixture.temporary.appending("cache")
        let reports = Mutex<[TransferProgress]>([])
        let writer = CacheWriter(
            store: fixture.store, directory: cache,
            options: CachePushOptions(compression: compression, signingKey: fixture.key, jobs: 2))
        let first = try writer.push([fixture.top]) { progress in reports.withLock { $0.append(progress) } }
        let closure = try fixture.closure
        #expect(first.written.map(fixture.store.fullPath) == closure)
        #expect(first.skipped.isEmpty)
        let last = try #require(reports.withLock { $0.last })
        #expect(last.pathsDone == closure.count && last.pathsTotal == closure.count)
        #expect(last.bytesDone == last.bytesTotal && last.bytesTotal == first.narBytes)

        let files = try CachePushFixture.files(in: cache)
        #expect(
            String(decoding: files["nix-cache-info"] ?? [], as: UTF8.self)
                == "StoreDir: \(fixture.store.layout.storeDirectory.path)\n")
        #expect(!files.keys.contains { $0.contains(".keel-tmp") }, "no temporary file is left")
        var fileSizes: [String: UInt64] = [:]
        for full in closure {
            let path = try fixture.store.storePath(full)
            let info = try fixture.store.info(path)
            let text = try #require(files[CacheLayout.narinfoName(of: path)], "\(full) has a narinfo")
            let narInfo = try NarInfo(parsing: String(decoding: text, as: UTF8.self))
            #expect(narInfo.storePath == full)
            #expect(narInfo.compression == compression.rawValue)
            #expect(narInfo.narHash == info.narHash && narInfo.narSize == info.narSize)
            #expect(try narInfo.validSignatures(for: fixture.key.publicKey).count == 1)
            #expect(narInfo.url.hasSuffix(compression.fileSuffix))
            let file = try #require(files[narInfo.url], "\(full): \(narInfo.url) is there")
            #expect(narInfo.fileSize == UInt64(file.count))
            #expect(narInfo.fileHash == StreamingHasher.hash(.sha256, file))
            fileSizes[narInfo.url] = UInt64(file.count)
            let nar = try Self.decompress(file, compression)
            #expect(StreamingHasher.hash(.sha256, nar) == info.narHash, "\(full): the NAR file holds its NAR")
        }
        // Paths with the same NAR (two identical trees) share one file, counted once.
        #expect(first.fileBytes == fileSizes.values.reduce(0, +))

        let second = try writer.push([fixture.top])
        #expect(second.written.isEmpty)
        #expect(second.skipped.map(fixture.store.fullPath) == closure)
        #expect(try CachePushFixture.files(in: cache) == files, "nothing changed")
    }

    @Test("a cache whose nix-cache-info names another store directory is refused, and nothing is written")
    func otherStoreDirectoryRefused() throws {
        let fixture = try CachePushFixture()
        let cache = fixture.temporary.appending("cache")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try CachePushFixture.write("StoreDir: /nix/store\n", to: cache + "/nix-cache-info")
        let writer = CacheWriter(store: fixture.store, directory: cache)
        let error = try #require(throws: CacheError.self) { try writer.push([fixture.top]) }
        #expect(error.code == .badInput)
        #expect(error.message.contains("/nix/store") && error.message.contains(cache), "\(error)")
        #expect(try CachePushFixture.files(in: cache).keys.sorted() == ["nix-cache-info"])
    }

    @Test("files already in the cache are kept: a narinfo (its path skipped), a NAR of the same name, others")
    func foreignFilesKept() throws {
        let fixture = try CachePushFixture()
        let reference = fixture.temporary.appending("reference")
        _ = try CacheWriter(
            store: fixture.store, directory: reference, options: CachePushOptions(compression: .none)
        ).push([fixture.top])
        let referenceFiles = try CachePushFixture.files(in: reference)
        func narURL(of path: StorePath) throws -> String {
            let text = try #require(referenceFiles[CacheLayout.narinfoName(of: path)])
            return try NarInfo(parsing: String(decoding: text, as: UTF8.self)).url
        }
        let middle = try #require(try fixture.store.closure(of: [fixture.top]).first { $0.name == "middle" })
        // top is skipped (its narinfo is there), so its NAR is not written.
        let narNames = referenceFiles.keys.filter { $0.hasPrefix("nar/") && $0 != (try? narURL(of: fixture.top)) }
        let cache = fixture.temporary.appending("cache")
        try FileManager.default.createDirectory(atPath: cache + "/nar", withIntermediateDirectories: true)
        let foreign = [
            CacheLayout.narinfoName(of: fixture.top): "foreign narinfo\n", try narURL(of: middle): "foreign NAR\n",
            "notes.txt": "mine\n",
        ]
        for (name, text) in foreign { try CachePushFixture.write(text, to: "\(cache)/\(name)") }
        let result = try CacheWriter(
            store: fixture.store, directory: cache, options: CachePushOptions(compression: .none)
        ).push([fixture.top])
        #expect(result.skipped == [fixture.top])
        #expect(result.written.count == (try fixture.closure).count - 1)
        let files = try CachePushFixture.files(in: cache)
        for (name, text) in foreign {
            #expect(files[name] == Array(text.utf8), "\(name) was left alone")
        }
        #expect(files.keys.filter { $0.hasPrefix("nar/") }.sorted() == narNames.sorted())
    }

    @Test("a store path whose contents no longer match its NarHash stops the push, naming it; its referrers wait")
    func damagedStoreRefused() throws {
        let fixture = try CachePushFixture()
        let middle = try #require(try fixture.store.closure(of: [fixture.top]).first { $0.name == "middle" })
        let file = fixture.store.fullPath(middle)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        try Data(original.reversed()).write(to: URL(fileURLWithPath: file))
        let cache = fixture.temporary.appending("cache")
        let error = try #require(throws: CacheError.self) {
            try CacheWriter(store: fixture.store, directory: cache).push([fixture.top])
        }
        #expect(error.code == .store)
        #expect(error.message.contains(file) && error.message.contains("damaged"), "\(error)")
        let files = try CachePushFixture.files(in: cache)
        #expect(files[CacheLayout.narinfoName(of: middle)] == nil)
        #expect(files[CacheLayout.narinfoName(of: fixture.top)] == nil, "top's narinfo waits for middle's")
        #expect(!files.keys.contains { $0.contains(".keel-tmp") }, "no temporary file is left")
    }

    /// The NAR in a cache file compressed with `compression`.
    static func decompress(_ file: [UInt8], _ compression: CacheCompression) throws -> [UInt8] {
        let source = ArrayBytes(file)
        switch compression {
        case .none: return file
        case .xz:
            let decompressor = try XzDecompressor(source: source)
            return try readAll(decompressor)
        case .zstd:
            let decompressor = try ZstdDecompressor(source: source)
            return try readAll(decompressor)
        }
    }

    private static func readAll(_ input: some KeelArchive.ByteSource) throws -> [UInt8] {
        var source = input
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return output }
            output += buffer[..<count]
        }
    }
}

/// KeelArchive bytes from memory.
private final class ArrayBytes: KeelArchive.ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
        offset += count
        return count
    }
}
