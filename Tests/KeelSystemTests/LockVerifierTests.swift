import Foundation
import KeelConfig
import KeelTesting
import Testing

@testable import KeelSystem

/// What `LockVerifier` takes from keel.toml and what it needs keel.lock for.
@Suite(.ownThreads) struct LockVerifierTests {
    private let hash = "sha256-Qn+Tyv2cwZvm7sA+WQycbN+faIperyH6jXI1HisV/QU="
    private let otherHash = "sha256-vPwaLT/MKaMY4e2dMeV3GPexZzGsYkpI0O9ewXc3JBE="

    private func configuration(_ fetch: String) throws -> HostConfiguration {
        let text = "[host]\nname = \"h\"\n\n[packages.tool]\n\(fetch)\n"
        return try ConfigLoader.parse(Array(text.utf8), file: "keel.toml", directory: "/")
    }

    @Test func aHashInKeelTomlNeedsNoLockAndIgnoresAStaleEntry() throws {
        let configuration = try configuration("url = \"https://example.org/new\"\nhash = \"\(hash)\"")
        var lock = LockFile()
        #expect(try LockVerifier(configuration: configuration, lock: lock).verify().fetches["tool"]?.hash == hash)
        lock.fetches["tool"] = LockFile.Fetch(url: "https://example.org/old", hash: otherHash, narHash: nil)
        #expect(try LockVerifier(configuration: configuration, lock: lock).verify().fetches["tool"]?.hash == hash)
    }

    @Test func aHashThatDisagreesWithTheLockForTheSameURLIsRefused() throws {
        let configuration = try configuration("url = \"https://example.org/tool\"\nhash = \"\(hash)\"")
        var lock = LockFile()
        lock.fetches["tool"] = LockFile.Fetch(url: "https://example.org/tool", hash: otherHash, narHash: nil)
        #expect {
            try LockVerifier(configuration: configuration, lock: lock).verify()
        } throws: { error in
            "\(error)".contains("keel.toml's hash \(hash) differs from keel.lock's \(otherHash)")
        }
    }

    @Test func anExecutableFetchNeedsItsNARHashLocked() throws {
        let configuration = try configuration(
            "url = \"https://example.org/tool\"\nhash = \"\(hash)\"\nexecutable = true")
        var lock = LockFile()
        lock.fetches["tool"] = LockFile.Fetch(url: "https://example.org/tool", hash: hash, narHash: nil)
        #expect {
            try LockVerifier(configuration: configuration, lock: lock).verify()
        } throws: { error in
            "\(error)".hasPrefix("keel.toml:5:7: package 'tool': \"https://example.org/tool\" is not locked")
        }
        lock.fetches["tool"]?.narHash = otherHash
        let locked = try LockVerifier(configuration: configuration, lock: lock).verify().fetches["tool"]
        #expect(locked?.hash == hash && locked?.narHash == otherHash)
    }
}
