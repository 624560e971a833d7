import Foundation
import KeelTesting

/// A TCP listener on the host's 127.0.0.1 that accepts and closes connections (Python).
final class LoopbackListener: Sendable {
    private let process: Process
    let port: Int

    init() throws {
        (process, port) = try startPython(
            "import socket\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\n"
                + "while True:\n c,_=s.accept()\n c.close()", arguments: [])
    }

    func stop() { stopPython(process) }
}

/// An HTTP server on 127.0.0.1 serving a directory (Python's http.server).
final class HTTPFileServer: Sendable {
    private let process: Process
    let port: Int

    init(directory: String) throws {
        (process, port) = try startPython(
            "import http.server,functools,sys\n"
                + "h=functools.partial(http.server.SimpleHTTPRequestHandler,directory=sys.argv[1])\n"
                + "s=http.server.ThreadingHTTPServer(('127.0.0.1',0),h)\nprint(s.server_address[1],flush=True)\n"
                + "s.serve_forever()", arguments: [directory])
    }

    func stop() { stopPython(process) }
}

private func startPython(_ program: String, arguments: [String]) throws -> (Process, Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ProcessRunner.resolve("python3"))
    process.arguments = ["-c", program] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = ""
    while !line.hasSuffix("\n") {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line += String(decoding: chunk, as: UTF8.self)
    }
    return (process, Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
}

private func stopPython(_ process: Process) {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
}
