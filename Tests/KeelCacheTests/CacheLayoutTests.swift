import KeelCache
import KeelFormats
import KeelTesting
import Testing

@Suite("Cache layout", .ownThreads)
struct CacheLayoutTests {
    @Test("NAR URLs and narinfo names follow Nix's file:// layout")
    func names() throws {
        let path = try StorePath(baseName: "8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep")
        #expect(CacheLayout.narinfoName(of: path) == "8nnk8h887pfkfd2dbvlhw4mrws352dbf.narinfo")
        let fileHash = try NixHash(parsing: "sha256:0hwvc4iadsgx4m4w1ky1f5jbz34dg6m15wzdp0kkwfgjrqpi8715")
        #expect(
            CacheLayout.narURL(fileHash: fileHash, compression: .xz)
                == "nar/0hwvc4iadsgx4m4w1ky1f5jbz34dg6m15wzdp0kkwfgjrqpi8715.nar.xz")
        #expect(CacheLayout.narURL(fileHash: fileHash, compression: .none).hasSuffix("8715.nar"))
        #expect(CacheLayout.narURL(fileHash: fileHash, compression: .zstd).hasSuffix("8715.nar.zst"))
        let store = try StoreDirectory("/nix/store")
        #expect(CacheLayout.cacheInfo(storeDirectory: store) == "StoreDir: /nix/store\n")
        #expect(
            CacheLayout.cacheInfo(storeDirectory: store, massQuery: true, priority: 30)
                == "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n")
    }

    @Test("Compression values other than none, xz and zstd are refused by name; an absent one means bzip2")
    func compression() throws {
        #expect(try CacheCompression(narinfoValue: "xz") == .xz)
        #expect(try CacheCompression(narinfoValue: "none") == .none)
        #expect(try CacheCompression(narinfoValue: "zstd") == .zstd)
        #expect(throws: CacheError.self) { try CacheCompression(narinfoValue: "bzip2") }
        do {
            _ = try CacheCompression(narinfoValue: nil)
            Issue.record("an absent Compression was accepted")
        } catch {
            #expect(error.message.contains("bzip2"))
        }
    }
}
