import CKeelLinux
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One thread that waits (in `epoll`) on many descriptors and calls each one's handler when it
/// is readable, at its end or in error — for loops that would otherwise each hold a thread of
/// their own (a supervisor's agents: their output pipes and pidfds).
///
/// Handlers run one at a time on the watcher's thread, in the order the kernel reports, and
/// share one scratch buffer for reads; a handler must not block for long, since every other
/// descriptor waits for it. Watching is level-triggered: a handler that leaves input unread is
/// called again.
public final class InputWatcher: Sendable {
    /// Identifies one registration (descriptor numbers are reused; tokens are not).
    public struct Token: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    /// What a handler is given: its registration (to stop it from within) and scratch space
    /// for its reads (valid during the call only).
    public typealias Handler = @Sendable (_ token: Token, _ scratch: UnsafeMutableRawBufferPointer) -> Void

    /// The process's watcher, started on first use. Its thread yields on wake-up
    /// (`ThreadScheduling.yieldOnWakeUp`): a process that ends closes its output (waking the
    /// watcher) before it is reported ended; preempting it there would delay that report.
    /// Instead the end of the output and the exit arrive together, in that order.
    public static let shared: InputWatcher = {
        do throws(SystemError) {
            return try InputWatcher(yieldingOnWakeUp: true)
        } catch {
            fatalError("cannot start the input watcher: \(error)")
        }
    }()

    private struct State {
        var handlers: [UInt64: Handler] = [:]
        var nextToken: UInt64 = 1
    }

    private let epoll: Int32
    private let state = Mutex(State())
    private let scratchSize: Int

    /// A watcher with its own epoll instance and thread.
    ///
    /// - Parameters:
    ///   - scratchSize: the size of the buffer handlers read into.
    ///   - yieldingOnWakeUp: whether its thread is in the batch scheduling class, so that what
    ///     wakes it is not preempted by it (where the kernel refuses, it is scheduled as any
    ///     thread).
    /// - Throws: `SystemError` naming `epoll_create1`.
    public init(scratchSize: Int = 64 * 1024, yieldingOnWakeUp: Bool = false) throws(SystemError) {
        epoll = try SystemCall.retrying("epoll_create1") { ckeel_epoll_create() }
        self.scratchSize = scratchSize
        DetachedThread.start(stackSize: 256 * 1024) { [self] in
            if yieldingOnWakeUp { try? ThreadScheduling.yieldOnWakeUp() }
            loop()
        }
    }

    /// Calls `handler` on the watcher's thread whenever `descriptor` is readable, at its end or
    /// in error, until `stopWatching` (which must come before the descriptor is closed).
    ///
    /// - Throws: `SystemError` naming `epoll_ctl`.
    public func watch(_ descriptor: FileDescriptor, _ handler: @escaping Handler) throws(SystemError) -> Token {
        let token = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.handlers[token] = handler
            return token
        }
        do throws(SystemError) {
            _ = try SystemCall.retrying("epoll_ctl") { ckeel_epoll_add_input(epoll, descriptor.rawValue, token) }
        } catch {
            _ = state.withLock { $0.handlers.removeValue(forKey: token) }
            throw error
        }
        return Token(value: token)
    }

    /// Stops calling `token`'s handler (also from within it). Call it before closing the
    /// descriptor.
    public func stopWatching(_ token: Token, descriptor: FileDescriptor) {
        _ = state.withLock { $0.handlers.removeValue(forKey: token.value) }
        _ = ckeel_epoll_remove(epoll, descriptor.rawValue)
    }

    /// How many registrations are active.
    public var watchedCount: Int { state.withLock { $0.handlers.count } }

    private func loop() {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: scratchSize, alignment: 16)
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let count = tokens.withUnsafeMutableBufferPointer { buffer in
                ckeel_epoll_wait_tokens(epoll, buffer.baseAddress, Int32(buffer.count))
            }
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("the input watcher's epoll_wait failed: \(SystemError(call: "epoll_wait", errno: errno))")
            }
            for index in 0..<Int(count) {
                let token = tokens[index]
                // A handler earlier in this batch may have stopped this registration.
                guard let handler = state.withLock({ $0.handlers[token] }) else { continue }
                handler(Token(value: token), scratch)
            }
        }
    }
}
