import KeelLinux

/// Blocking work in an async test — a child process run to its end, a long wait — done on a
/// thread of its own, so the test does not hold one of Swift concurrency's cooperative threads
/// (one per core) meanwhile: suites running beside it, whose async tests wait on events, keep
/// theirs.
public enum Blocking {
    /// Runs `body` on a new thread and returns (or throws) what it does.
    public static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DetachedThread.start { continuation.resume(with: Result { try body() }) }
        }
    }
}
