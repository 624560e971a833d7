import Hummingbird
import KeelLinux
import KeelTesting
import Testing

@testable import KeelCache

@Suite("keel cache serve: addresses, request paths, conditions", .ownThreads)
struct CacheServeUnitTests {
    @Test("listen addresses: HOST:PORT, [IPv6]:PORT, port 0; everything else refused")
    func addresses() throws {
        #expect(try CacheServerAddress(parsing: "127.0.0.1:5000") == CacheServerAddress(host: "127.0.0.1", port: 5000))
        #expect(try CacheServerAddress(parsing: "localhost:0") == CacheServerAddress(host: "localhost", port: 0))
        let v6 = try CacheServerAddress(parsing: "[::1]:8080")
        #expect(v6 == CacheServerAddress(host: "::1", port: 8080) && v6.description == "[::1]:8080")
        for text in [
            "", "5000", ":5000", "host:", "host:-1", "host:65536", "host:1x", "[::1]", "[::1]5000", "[]:1", "a/b:1",
        ] {
            #expect(throws: CacheError.self, "\(text)") { try CacheServerAddress(parsing: text) }
        }
    }

    @Test("request paths: cache names pass; dot segments, hidden files, encodings, empty parts and depth do not")
    func requestPaths() {
        #expect(CacheServerRequestPath("/nix-cache-info")?.components == ["nix-cache-info"])
        #expect(CacheServerRequestPath("/nar/abc.nar.xz")?.relative == "nar/abc.nar.xz")
        #expect(CacheServerRequestPath("/log/abc-x+y_z=1.drv") != nil)
        for path in [
            "/", "", "/..", "/../x", "/nar/..", "/nar/.", "/.hidden", "/nar/.x", "//x", "/nar/", "/a%2e", "/a b",
            "/a?b", "/a\\b", "/a/b/c/d/e", "/" + String(repeating: "a", count: 256), "/é",
        ] {
            #expect(CacheServerRequestPath(path) == nil, "\(path)")
        }
    }

    @Test("If-None-Match and Range as RFC 9110 reads them")
    func conditions() {
        let tag = "\"abc\""
        #expect(CacheServerConditions.matches(ifNoneMatch: [.ifNoneMatch: "\"x\", \"abc\""], entityTag: tag))
        #expect(CacheServerConditions.matches(ifNoneMatch: [.ifNoneMatch: "W/\"abc\""], entityTag: tag))
        #expect(CacheServerConditions.matches(ifNoneMatch: [.ifNoneMatch: "*"], entityTag: tag))
        #expect(!CacheServerConditions.matches(ifNoneMatch: [.ifNoneMatch: "\"abcd\""], entityTag: tag))
        #expect(!CacheServerConditions.matches(ifNoneMatch: [:], entityTag: tag))
        func range(_ value: String, size: UInt64 = 100, ifRange: String? = nil) -> CacheServerConditions.RangeRequest {
            var fields: HTTPFields = [.range: value]
            if let ifRange { fields[.ifRange] = ifRange }
            return CacheServerConditions.range(fields, entityTag: tag, size: size)
        }
        #expect(range("bytes=0-9") == .partial(0...9))
        #expect(range("bytes=90-200") == .partial(90...99))
        #expect(range("bytes=50-") == .partial(50...99))
        #expect(range("bytes=-10") == .partial(90...99))
        #expect(range("bytes=-500") == .partial(0...99))
        #expect(range("bytes=100-") == .unsatisfiable)
        #expect(range("bytes=-0") == .unsatisfiable)
        #expect(range("bytes=0-0", size: 0) == .unsatisfiable)
        for ignored in ["bytes=5-1", "bytes=0-1,3-4", "items=0-1", "bytes=a-b", "bytes=-", "bytes=+1-2"] {
            #expect(range(ignored) == .whole, "\(ignored)")
        }
        #expect(range("bytes=0-9", ifRange: tag) == .partial(0...9))
        #expect(range("bytes=0-9", ifRange: "\"old\"") == .whole)
    }

    @Test("a store NAR's name maps back to its hash part and NAR hash, for its compression only")
    func narNames() {
        let hashPart = String(repeating: "a", count: 32)
        let narHash = String(repeating: "1", count: 52)
        let name = CacheServerNARName(fileName: "\(hashPart)-\(narHash).nar.zst", compression: .zstd)
        #expect(name?.hashPart == hashPart && name?.narHash == narHash)
        #expect(name?.url(compression: .zstd) == "nar/\(hashPart)-\(narHash).nar.zst")
        #expect(CacheServerNARName(fileName: "\(hashPart)-\(narHash).nar", compression: .zstd) == nil)
        #expect(CacheServerNARName(fileName: "\(hashPart)-\(narHash).nar.xz", compression: .xz) != nil)
        #expect(CacheServerNARName(fileName: "\(hashPart)-\(narHash)e.nar", compression: .none) == nil)
        #expect(CacheServerNARName(fileName: "\(hashPart)_\(narHash).nar", compression: .none) == nil)
        #expect(
            CacheServerNARName(fileName: "\(String(repeating: "e", count: 32))-\(narHash).nar", compression: .none)
                == nil)
    }
}

@Suite("keel cache serve: the chunk channel between a producing thread and the response", .ownThreads)
struct CacheServeChunkChannelTests {
    @Test("the producer is held back while the channel is full, and stops once the reader has gone")
    func backpressureAndHangUp() async throws {
        let channel = CacheServerChunkChannel(capacity: 2)
        let (ended, end) = AsyncStream.makeStream(of: Int.self)
        DetachedThread.start {
            var sent = 0
            do {
                while true {
                    try channel.send(ByteBuffer(string: "\(sent)"))
                    sent += 1
                }
            } catch {
                end.yield(sent)
            }
        }
        for expected in 0..<3 {
            #expect(try await channel.next() == ByteBuffer(string: "\(expected)"))
        }
        let watchdog = Watchdog.start { end.finish() }
        defer { watchdog.cancel() }
        channel.close()
        var iterator = ended.makeAsyncIterator()
        let sent = try #require(await iterator.next(), "the producer stopped")
        #expect(sent <= 3 + 2, "at most the chunks read and the capacity were sent")
    }

    @Test("the reader gets the chunks sent, then the end or the producer's failure")
    func endAndFailure() async throws {
        for failure in [nil, CacheError(.fileSystem, "broken")] {
            let channel = CacheServerChunkChannel(capacity: 4)
            DetachedThread.start {
                for index in 0..<10 { try? channel.send(ByteBuffer(string: "\(index)")) }
                channel.finish(failure.map { .failure($0) } ?? .success(()))
            }
            var received: [String] = []
            do {
                while let chunk = try await channel.next() { received.append(String(buffer: chunk)) }
                #expect(failure == nil)
            } catch let error as CacheError {
                #expect(error.message == failure?.message)
            }
            #expect(received == (0..<10).map { "\($0)" })
        }
    }
}
