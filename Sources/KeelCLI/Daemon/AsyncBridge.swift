import Dispatch
import Synchronization

/// Runs async client code from a synchronous command's `run()`: starts a task and blocks the
/// calling thread (never one of the task's) until it ends.
enum AsyncBridge {
    /// The result of `operation`, waited for.
    static func wait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        Task {
            do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
        }
        return try outcome.wait().get()
    }

    /// A result handed from the task to the waiting thread.
    private final class Outcome<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func finish(_ value: Result<T, any Error>) {
            result.withLock { $0 = value }
            done.signal()
        }

        func wait() -> Result<T, any Error> {
            done.wait()
            return result.withLock { $0 } ?? .failure(CLIError("the operation ended without a result"))
        }
    }
}
