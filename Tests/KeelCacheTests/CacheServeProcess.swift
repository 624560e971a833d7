import Foundation
import KeelLinux
import KeelTesting
import SystemPackage

/// A `keel cache serve` started by a test: it waits for the `serving … on http://HOST:PORT`
/// line, and stops the server with SIGTERM through a pidfd taken at start (never a reused pid).
/// A server the test did not stop is terminated and reaped when this is dropped.
final class CacheServeProcess {
    private let process = Process()
    private var pidfd: FileDescriptor?
    private let output = Pipe()
    private var received: [UInt8] = []
    /// The port the server listens on.
    private(set) var port = 0
    /// The line it printed.
    private(set) var line = ""

    /// Starts `keel cache serve` with `arguments` (plus `--listen 127.0.0.1:0`) and waits for
    /// its line.
    ///
    /// - Throws: `CacheServeTestError` when it exits or stays silent for 60 s without saying it
    ///   listens.
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = ["cache", "serve"] + arguments + ["--listen", "127.0.0.1:0"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
        let fd = output.fileHandleForReading.fileDescriptor
        while !String(decoding: received, as: UTF8.self).contains("\n") {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let chunk = poll(&ready, 1, 60_000) > 0 ? output.fileHandleForReading.availableData : Data()
            if chunk.isEmpty { throw CacheServeTestError("keel cache serve \(arguments) did not say it listens") }
            received += chunk
        }
        line = String(String(decoding: received, as: UTF8.self).prefix { $0 != "\n" })
        guard let portText = line.split(separator: ":").last, let port = Int(portText) else {
            throw CacheServeTestError("no port in '\(line)'")
        }
        self.port = port
    }

    deinit { _ = stop() }

    /// The server's base URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Sends `signal` (if it still runs) and returns its exit status (128 + the signal when a
    /// signal ended it).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning {
            if let pidfd { _ = try? ProcessControl.signal(pidfd: pidfd, signal) } else { process.terminate() }
        }
        process.waitUntilExit()
        if let pidfd {
            FileSystem.close(pidfd)
            self.pidfd = nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }
}

/// A test helper that found something other than it expected.
struct CacheServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
