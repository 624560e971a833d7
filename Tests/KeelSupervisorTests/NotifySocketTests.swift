import Foundation
import Glibc
import KeelLinux
import KeelSupervisor
import KeelTesting
import Testing

/// A python3 client of the notify protocol: connects to argv[1] and sends each later argument
/// as one datagram. An argument `+fdsN:TEXT` sends TEXT with the write ends of N pipes attached
/// (as systemd-notify's barrier does) and waits, 10 s at most, for the receiver to close them
/// all: it prints `released` or `stalled`. `<NUL>` in an argument is sent as a NUL byte. Prints
/// its pid first.
private let pythonSenderScript = """
    import os, select, socket, sys
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.connect(sys.argv[1])
    print(os.getpid(), flush=True)
    for argument in sys.argv[2:]:
        if argument.startswith("+fds"):
            count, text = argument[4:].split(":", 1)
            pipes = [os.pipe() for _ in range(int(count))]
            sock.sendmsg([text.encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                bytes().join(w.to_bytes(4, sys.byteorder) for _, w in pipes))])
            poller = select.poll()
            for r, w in pipes:
                os.close(w)
                poller.register(r, 0)
            pending = {r for r, _ in pipes}
            while pending:
                events = poller.poll(10000)
                if not events:
                    break
                for r, _ in events:
                    poller.unregister(r)
                    pending.discard(r)
            print("stalled" if pending else "released", flush=True)
        else:
            sock.send(argument.encode("utf-8", "surrogateescape").replace(b"<NUL>", bytes(1)))
    """

/// Notifications as the handler saw them, with the sender's parent read while it was alive.
private struct Received: Sendable {
    let notification: NotifySocket.Notification
    let senderParent: Int32?
    let senderIsOurDescendant: Bool
}

/// A notify socket in a fresh private directory whose notifications arrive on a stream, and a
/// watchdog that ends the stream after 30 s so a lost datagram fails the test instead of hanging it.
private final class NotifyFixture: Sendable {
    let directory: TemporaryDirectory
    let socket: NotifySocket
    let received: AsyncStream<Received>
    private let watchdog: Task<Void, Never>

    init() throws {
        directory = try TemporaryDirectory(prefix: "keel-notify")
        let (stream, continuation) = AsyncStream.makeStream(of: Received.self)
        received = stream
        socket = try NotifySocket(path: directory.appending("notify.sock")) { notification in
            let parent = NotifyAttribution.parentPID(of: notification.senderPID)
            let ours = NotifyAttribution.belongsToTree(senderPID: notification.senderPID, agentPID: getpid())
            continuation.yield(Received(notification: notification, senderParent: parent, senderIsOurDescendant: ours))
        }
        watchdog = Watchdog.start { continuation.finish() }
    }

    func runPython(_ datagrams: [String]) throws -> ProcessResult {
        let script = directory.appending("sender.py")
        if !FileManager.default.fileExists(atPath: script) {
            try TestFiles.write(script, Array(pythonSenderScript.utf8))
        }
        return try ProcessRunner.run("python3", [script, socket.environmentValue] + datagrams)
    }

    func finish() {
        watchdog.cancel()
        socket.close()
        directory.remove()
    }
}

@Suite("NotifySocket", .ownThreads)
struct NotifySocketTests {
    @Test("a python sender's messages arrive with its pid; an attached fd is closed at once")
    func pythonSender() async throws {
        let fixture = try NotifyFixture()
        defer { fixture.finish() }
        let result = try fixture.runPython(["READY=1\nSTATUS=from python\n", "+fds1:BARRIER=1", "+fds3:FDSTORE=1"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.dropFirst() == ["released", "released"])
        let pid = try #require(lines.first.flatMap { Int32($0) })
        var iterator = fixture.received.makeAsyncIterator()
        let ready = try #require(await iterator.next())
        #expect(ready.notification.senderPID == pid)
        #expect(ready.notification.senderUID == getuid())
        #expect(ready.senderParent == getpid())
        #expect(ready.senderIsOurDescendant)
        #expect(ready.notification.message.isReady)
        #expect(ready.notification.message.status == "from python")
        #expect(ready.notification.closedDescriptors == 0)
        let barrier = try #require(await iterator.next())
        #expect(barrier.notification.message.isBarrier)
        #expect(barrier.notification.closedDescriptors == 1)
        let store = try #require(await iterator.next())
        #expect(store.notification.message.storesDescriptors)
        #expect(store.notification.closedDescriptors == 3)
    }

    @Test("datagrams systemd ignores are dropped and the next one still arrives")
    func ignoredDatagrams() async throws {
        let fixture = try NotifyFixture()
        defer { fixture.finish() }
        let oversized = "STATUS=" + String(repeating: "x", count: NotifyMessage.maximumSize)
        let result = try fixture.runPython([oversized, "READY=1<NUL>", "+fds2:" + oversized, "STOPPING=1"])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.split(separator: "\n").dropFirst() == ["released"])
        var iterator = fixture.received.makeAsyncIterator()
        let next = try #require(await iterator.next())
        #expect(next.notification.message.isStopping)
        #expect(!next.notification.message.isReady)
    }

    @Test(
        "systemd-notify --ready --status is attributed to its parent and its barrier does not stall",
        // Debian ships systemd-notify with systemd; without it there is nothing to check against.
        .enabled(if: FileManager.default.isExecutableFile(atPath: ProcessRunner.resolve("systemd-notify")))
    )
    func systemdNotify() async throws {
        let fixture = try NotifyFixture()
        defer { fixture.finish() }
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = fixture.socket.environmentValue
        // The shell runs systemd-notify as a child (a command follows it, so it is not exec'd)
        // and prints its own pid: the pid systemd-notify sends on behalf of.
        let result = try ProcessRunner.run(
            "sh", ["-c", "systemd-notify --ready --status=\"$1\" && echo $$", "sh", "Serving, 2 workers"],
            environment: environment)
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.errorOutput.isEmpty)
        let shell = try #require(Int32(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        var iterator = fixture.received.makeAsyncIterator()
        let ready = try #require(await iterator.next())
        #expect(ready.notification.senderPID == shell)
        #expect(ready.senderParent == getpid())
        #expect(ready.senderIsOurDescendant)
        #expect(ready.notification.message.isReady)
        #expect(ready.notification.message.status == "Serving, 2 workers")
        let barrier = try #require(await iterator.next())
        #expect(barrier.notification.message.isBarrier)
        #expect(barrier.notification.closedDescriptors == 1)
    }

    @Test("close() stops the reader, removes the path and may be called again")
    func closing() throws {
        let directory = try TemporaryDirectory(prefix: "keel-notify")
        defer { directory.remove() }
        let path = directory.appending("notify.sock")
        let socket = try NotifySocket(path: path) { _ in }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(socket.environmentValue == path)
        socket.close()
        #expect(lstat(path, &info) == -1 && errno == ENOENT)
        #expect(socket.failure == nil)
        socket.close()
        let again = try NotifySocket(path: path) { _ in }
        again.close()
    }

    @Test("close() from the handler itself does not wait for itself")
    func closingFromHandler() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-notify")
        defer { directory.remove() }
        let path = directory.appending("notify.sock")
        let (closed, continuation) = AsyncStream.makeStream(of: Void.self)
        let box = SocketBox()
        let socket = try NotifySocket(path: path) { _ in
            box.socket?.close()
            continuation.yield()
        }
        box.socket = socket
        try TestFiles.write(directory.appending("sender.py"), Array(pythonSenderScript.utf8))
        let result = try ProcessRunner.run("python3", [directory.appending("sender.py"), path, "STOPPING=1"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let watchdog = Watchdog.start { continuation.finish() }
        defer { watchdog.cancel() }
        var iterator = closed.makeAsyncIterator()
        #expect(await iterator.next() != nil)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a socket left by an earlier run is replaced; a live one or another kind of file is refused")
    func staleSocket() throws {
        let directory = try TemporaryDirectory(prefix: "keel-notify")
        defer { directory.remove() }
        let path = directory.appending("notify.sock")
        let stale = try DatagramSocket.bind(path: path)
        stale.close()
        let socket = try NotifySocket(path: path) { _ in }
        socket.close()
        try TestFiles.write(path, [])
        #expect(throws: SupervisorError.self) { try NotifySocket(path: path) { _ in } }
        #expect(FileManager.default.fileExists(atPath: path))
        // A socket another process still has bound is not taken from it.
        let livePath = directory.appending("live.sock")
        let live = try DatagramSocket.bind(path: livePath)
        defer { live.close() }
        #expect(throws: SupervisorError.self) { try NotifySocket(path: livePath) { _ in } }
        #expect(FileManager.default.fileExists(atPath: livePath))
        let long = directory.appending(String(repeating: "n", count: DatagramSocket.maximumPathLength))
        #expect(throws: SupervisorError.self) { try NotifySocket(path: long) { _ in } }
    }
}

/// Lets a handler reach the socket it belongs to.
private final class SocketBox: @unchecked Sendable {
    // Written once before any datagram is sent; read on the reader thread after that.
    var socket: NotifySocket?
}
