import KeelCache
import KeelFormats
import KeelTesting
import Testing

@Suite("Narinfos and cache URLs checked at the boundary", .ownThreads)
struct SubstitutionValidationTests {
    static let directory = try! StoreDirectory("/keel/store")
    static let path = try! StorePath(baseName: "7rjj86a15146cq3ri5m2gq8bg7ivnwn5-hello")
    static let narHash = StreamingHasher.hash(.sha256, Array("nar".utf8))

    static func text(url: String = "nar/abc.nar.xz", compression: String? = "xz", storePath: String? = nil) -> [UInt8] {
        let info = NarInfo(
            storePath: storePath ?? directory.fullPath(path), url: url, compression: compression, narHash: narHash,
            narSize: 3, references: ["7rjj86a15146cq3ri5m2gq8bg7ivnwn5-hello"])
        return Array(info.text.utf8)
    }

    static func refusal(_ text: [UInt8]) -> String? {
        do {
            _ = try ValidatedNarInfo(text: text, for: path, in: directory, cacheURL: "file:///cache")
            return nil
        } catch {
            return error.message
        }
    }

    @Test("A narinfo for the path asked, with a relative URL and xz, none or zstd, is accepted")
    func accepted() throws {
        for compression in ["xz", "none", "zstd"] {
            let info = try ValidatedNarInfo(
                text: Self.text(compression: compression), for: Self.path, in: Self.directory, cacheURL: "file:///cache"
            )
            #expect(info.compression.rawValue == compression)
            #expect(info.references == [Self.path])
        }
    }

    @Test(
        "A NAR URL that is not a plain relative path is refused",
        arguments: [
            "../escape.nar", "/absolute.nar", "http://elsewhere/x.nar", "nar//x.nar", "nar/./x.nar", "x.nar?y", "",
        ])
    func badURL(url: String) {
        let message = Self.refusal(Self.text(url: url))
        #expect(message != nil)
        #expect(message?.contains("/keel/store/7rjj86a15146cq3ri5m2gq8bg7ivnwn5-hello") == true, "\(message ?? "")")
        #expect(message?.contains("file:///cache") == true)
    }

    @Test("A narinfo describing another path, bzip2 (no Compression) or garbage is refused")
    func otherRefusals() {
        #expect(
            Self.refusal(Self.text(storePath: "/keel/store/0rjj86a15146cq3ri5m2gq8bg7ivnwn5-other"))?.contains(
                "describes")
                == true)
        #expect(Self.refusal(Self.text(compression: nil))?.contains("bzip2") == true)
        #expect(Self.refusal(Self.text(compression: "br"))?.contains("unsupported Compression 'br'") == true)
        #expect(Self.refusal(Array("not a narinfo\n".utf8)) != nil)
        #expect(Self.refusal([0xff, 0xfe, 0x0a])?.contains("not UTF-8") == true)
    }

    @Test("Cache URLs: file://DIR and plain directories read files, http(s) over HTTP, others are refused")
    func cacheURLs() throws {
        let file = try CacheURL.source("file:///srv/cache/?priority=10", connections: 1, timeout: .seconds(1))
        #expect((file as? FileCacheSource)?.directory == "/srv/cache")
        let plain = try CacheURL.source("/srv/cache", connections: 1, timeout: .seconds(1))
        #expect((plain as? FileCacheSource)?.directory == "/srv/cache")
        let http = try CacheURL.source("http://127.0.0.1:1/cache", connections: 1, timeout: .seconds(1))
        #expect(http is HTTPCacheSource)
        http.close()
        for url in ["s3://bucket", "file://relative/dir", "http://", "cache"] {
            #expect(throws: CacheError.self, "\(url)") {
                try CacheURL.source(url, connections: 1, timeout: .seconds(1))
            }
        }
    }
}
