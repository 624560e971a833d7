import KeelLinux
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The supervisor's end of systemd's notify protocol for one agent: a datagram socket bound at a
/// path (give the agent `NOTIFY_SOCKET=<environmentValue>`), read on a thread of its own that
/// sleeps in `poll` until a datagram or `close()` arrives.
///
/// Each datagram is handed to the handler, on that thread and one at a time, as a
/// `Notification` when systemd would accept it: it carries credentials, fits
/// `NotifyMessage.maximumSize` and holds no NUL. Descriptors passed with it are always closed
/// (`systemd-notify`'s barrier waits for that). Which agent sent it is the handler's question
/// (`NotifyAttribution`).
public final class NotifySocket: Sendable {
    /// One accepted datagram and who sent it.
    public struct Notification: Sendable, Equatable {
        /// The sender's pid, as the kernel vouches for it (0 when outside the daemon's pid
        /// namespace).
        public let senderPID: Int32
        /// The sender's uid.
        public let senderUID: UInt32
        /// What it said.
        public let message: NotifyMessage
        /// How many descriptors it passed (all closed).
        public let closedDescriptors: Int
    }

    /// The path the socket is bound at.
    public let path: String

    private let socket: DatagramSocket
    private let wakeUp: PipeEnds
    private let stopped: PipeEnds
    private let state = SharedState()

    /// What the reader thread and `close()` share (a class, so the thread need not hold `self`).
    private final class SharedState: Sendable {
        struct Fields {
            var isClosed = false
            var readerHasStopped = false
            var readerThread: pthread_t?
            var failure: SystemError?
        }
        let fields = Mutex(Fields())
        func withLock<R>(_ body: (inout Fields) -> R) -> R { fields.withLock { body(&$0) } }
    }

    /// The value of `NOTIFY_SOCKET` for the agent: the path.
    public var environmentValue: String { path }

    /// What stopped the reader early, if anything did (a failing `poll` or `recvmsg`); the
    /// socket is closed and its path removed then.
    public var failure: SupervisorError? {
        state.withLock { $0.failure }.map { SupervisorError("notify socket \(path): \($0)") }
    }

    /// Binds a socket at `path` (replacing a stale socket there) and starts reading it.
    ///
    /// - Parameters:
    ///   - path: at most `DatagramSocket.maximumPathLength` bytes, in a directory only the daemon
    ///     can enter.
    ///   - permissions: of the socket file; an agent needs write permission to send, so an agent
    ///     running as another user needs more than the default 0600.
    ///   - handler: called on the reader thread for each accepted datagram, never after `close()`
    ///     returns; it must not block for long (later datagrams wait behind it).
    /// - Throws: `SupervisorError` naming the path and the call that failed.
    public init(
        path: String, permissions: UInt32 = 0o600, handler: @escaping @Sendable (Notification) -> Void
    ) throws(SupervisorError) {
        self.path = path
        do {
            socket = try DatagramSocket.bind(path: path, permissions: permissions)
        } catch {
            throw SupervisorError("notify socket: \(error)")
        }
        do {
            wakeUp = try PipeEnds()
            do { stopped = try PipeEnds() } catch {
                Self.close(wakeUp.reading, wakeUp.writing)
                throw error
            }
        } catch {
            socket.close()
            socket.removePath()
            throw SupervisorError("notify socket \(path): \(error)")
        }
        let socket = socket
        let wakeUp = wakeUp.reading
        let stoppedSignal = stopped.writing
        let state = state
        DetachedThread.start(stackSize: 256 << 10) {
            state.withLock { $0.readerThread = pthread_self() }
            do throws(SystemError) {
                try Self.read(socket, until: wakeUp, state: state, handler: handler)
            } catch {
                state.withLock { $0.failure = error }
            }
            socket.close()
            socket.removePath()
            state.withLock { fields in
                fields.readerHasStopped = true
                Self.close(wakeUp)
            }
            // close() waits for the end of this pipe.
            Self.close(stoppedSignal)
        }
    }

    deinit { close() }

    /// Stops the reader, which closes the socket and removes its path, and waits until it has
    /// (unless called from the handler, which returns to a reader that then stops). Calling it
    /// again does nothing.
    public func close() {
        let (alreadyClosed, readerThread) = state.withLock { fields in
            defer { fields.isClosed = true }
            if !fields.isClosed && !fields.readerHasStopped {
                // Under the lock: the reader closes the other end only under it too (no SIGPIPE).
                let byte: [UInt8] = [1]
                byte.withUnsafeBytes { _ = try? SystemCall.writeAll(wakeUp.writing, $0) }
            }
            return (fields.isClosed, fields.readerThread)
        }
        guard !alreadyClosed else { return }
        if readerThread.map({ pthread_equal($0, pthread_self()) != 0 }) != true {
            var scratch = [UInt8](repeating: 0, count: 1)
            // The reader closes the writing end when it has stopped: read then sees the end.
            while (scratch.withUnsafeMutableBytes { (try? SystemCall.read(stopped.reading, into: $0)) ?? 0 }) > 0 {}
        }
        Self.close(wakeUp.writing, stopped.reading)
    }

    /// The reader's loop: sleeps until a datagram or the wake-up pipe is readable, then takes
    /// every waiting datagram.
    private static func read(
        _ socket: DatagramSocket, until wakeUp: Int32, state: SharedState,
        handler: @Sendable (Notification) -> Void
    ) throws(SystemError) {
        while true {
            let ready = try Polling.waitForInput([socket.descriptor, FileDescriptor(rawValue: wakeUp)])
            if ready[1] { return }
            while let datagram = try socket.receive(capacity: NotifyMessage.maximumSize) {
                guard !datagram.isTruncated, let pid = datagram.senderPID, let uid = datagram.senderUID,
                    let message = NotifyMessage(datagram: datagram.bytes)
                else { continue }
                handler(
                    Notification(
                        senderPID: pid, senderUID: uid, message: message,
                        closedDescriptors: datagram.closedDescriptors))
                if state.withLock({ $0.isClosed }) { return }
            }
        }
    }

    private static func close(_ descriptors: Int32...) {
        for descriptor in descriptors { FileSystem.close(FileDescriptor(rawValue: descriptor)) }
    }
}
