import Foundation
import KeelTesting
import Testing

/// keel.toml and keel.lock are read no further than the size the loader accepts.
@Suite("Review: oversized keel.toml and keel.lock", .ownThreads)
struct ReviewConfigSizeTests {
    @Test("a keel.toml or keel.lock larger than the limit is refused after reading just past the limit")
    func oversizedFilesAreRefusedEarly() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        // /dev/zero never ends: reading it whole would take a gigabyte before failing.
        let config = try fixture.keel(["eval", "-f", "/dev/zero"] + fixture.storeArguments)
        #expect(config.status == 1, "\(config.transcript)")
        #expect(config.errorOutput.contains("/dev/zero:1:1: the file is larger than 16 MiB"), "\(config.errorOutput)")

        try fixture.writeConfig("[host]\nname = \"big-lock\"\n")
        try FileManager.default.createSymbolicLink(atPath: fixture.lockFile, withDestinationPath: "/dev/zero")
        let lock = try fixture.eval()
        #expect(lock.status == 1, "\(lock.transcript)")
        #expect(lock.errorOutput.contains("keel.lock:1:1: the file is larger than 16 MiB"), "\(lock.errorOutput)")
    }
}
