import Foundation

/// Why an SSH copy test could not set up or observe what it needed.
struct SSHTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a child's output pipe until a text appears (the watchdog: 90 s of silence is a
/// failure, never a measurement), keeping everything read.
final class SSHOutputWaiter {
    private let handle: FileHandle
    private(set) var received: [UInt8] = []

    /// Reads `pipe`'s reading end.
    init(_ pipe: Pipe) { handle = pipe.fileHandleForReading }

    /// Everything read so far, as text.
    var text: String { String(decoding: received, as: UTF8.self) }

    /// Reads until `wanted` has been seen; false when the output ends (or stays silent for
    /// 90 s) first.
    func wait(for wanted: String) -> Bool {
        while !text.contains(wanted) {
            var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let chunk = poll(&ready, 1, 90_000) > 0 ? handle.availableData : Data()
            if chunk.isEmpty { return false }
            received += chunk
        }
        return true
    }

    /// Reads everything up to the end of the output.
    func readToEnd() -> String {
        received += handle.readDataToEndOfFile()
        return text
    }
}
