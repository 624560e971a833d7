import Foundation
import KeelAPI
import KeelLinux
import KeelTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The API socket: private, single, and told apart from a stale file", .timeLimit(.minutes(5)), .ownThreads)
struct DaemonSocketTests {
    @Test("the socket has mode 0600 and its directory 0711, even when the directory was open before")
    func modes() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-api")
        defer { directory.remove() }
        let paths = DaemonPaths(root: directory.appending("root"))
        try FileSystem.makeDirectories(paths.runDirectory, permissions: 0o777)
        let harness = try await APIHarness.start(paths: paths)
        let socket = try FileSystem.status(of: Array(paths.socket.utf8))
        let type = try FileManager.default.attributesOfItem(atPath: paths.socket)[.type] as? FileAttributeType
        let run = try FileSystem.status(of: Array(paths.runDirectory.utf8))
        try await harness.stop()
        #expect(type == .typeSocket)
        #expect(socket.permissions & 0o7777 == 0o600)
        #expect(run.permissions & 0o7777 == 0o711)
        #expect(!FileManager.default.fileExists(atPath: paths.socket), "the socket is removed on shutdown")
    }

    @Test("a second server refuses to start while a live daemon answers on the socket")
    func refusesLiveSocket() async throws {
        try await APIHarness.serving { harness in
            let second = DaemonAPIServer(operations: FakeDaemon(), paths: harness.paths)
            let error = await #expect(throws: DaemonAPIServerError.self) { try await second.run() }
            #expect(error?.message == "another keel daemon is running (it holds \(harness.paths.socket))")
            let status = try await DaemonClient.with(paths: harness.paths) { try await $0.status() }
            #expect(status.pid == 42, "the first server still answers")
        }
    }

    @Test("no socket, or a stale one, means no daemon; a server replaces a stale socket")
    func staleSocket() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-api")
        defer { directory.remove() }
        let paths = DaemonPaths(root: directory.appending("root"))
        #expect(!DaemonClient.isRunning(paths: paths))
        try FileSystem.makeDirectories(paths.runDirectory, permissions: 0o700)
        try makeStaleSocket(paths.socket)
        #expect(!DaemonClient.isRunning(paths: paths))
        let error = try await DaemonClient.with(paths: paths) { client in
            await #expect(throws: DaemonClientError.self) { try await client.status() }
        }
        #expect(error == .notRunning(socket: paths.socket))
        #expect(error?.description == "no keel daemon is running (start one with `keel daemon`)")
        let harness = try await APIHarness.start(paths: paths)
        #expect(DaemonClient.isRunning(paths: paths))
        try await harness.stop()
    }

    /// A stream socket bound at `path`, then closed: the file stays, and connecting is refused.
    private func makeStaleSocket(_ path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        try #require(listen(fd, 1) == 0)
    }
}
