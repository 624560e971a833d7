import AsyncHTTPClient
import KeelLinux
import KeelSupervisor
import KeelTesting
import Synchronization
import Testing

/// The time a health test may take before its watchdog fails it: a hang detector, never a
/// timing. It is generous because on a two-core machine a full parallel run can leave these
/// async tests without a cooperative thread for minutes while other suites wait on child
/// processes (runtimes downloaded and unpacked, nix, pip).
let healthWatchdogLimit = Duration.seconds(300)

/// A watchdog that expired: the test's body did not finish in time.
struct HealthWatchdogExpired: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the test did not finish within \(limit): something hangs" }
}

/// Runs `body` and returns its result, or throws `HealthWatchdogExpired` once `limit` has passed
/// without waiting for `body` any longer (it is cancelled and left behind), so a hang fails the
/// test instead of stalling the run.
func withHealthWatchdog<Result: Sendable>(
    _ limit: Duration = healthWatchdogLimit, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let outcome = HealthOnce<Swift.Result<Result, any Error>>()
    return try await withCheckedThrowingContinuation { continuation in
        let work = Task {
            do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
        }
        let timer = Watchdog.start(after: limit) {
            outcome.set(.failure(HealthWatchdogExpired(limit: limit)))
            work.cancel()
        }
        outcome.onResult { result in
            timer.cancel()
            continuation.resume(with: result)
        }
    }
}

/// A value set once (later sets are ignored), handed to one waiter.
final class HealthOnce<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: (@Sendable (Value) -> Void)?
    }

    private let state = Mutex(State())

    /// Calls `waiter` with the value once it is set (at once if it is).
    func onResult(_ waiter: @escaping @Sendable (Value) -> Void) {
        let value = state.withLock { state in
            if state.value == nil { state.waiter = waiter }
            return state.value
        }
        if let value { waiter(value) }
    }

    /// Sets the value, unless it was set before.
    func set(_ value: Value) {
        let waiter = state.withLock { state -> (@Sendable (Value) -> Void)? in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?(value)
    }
}

/// Runs `body` with a probe HTTP client, which is shut down afterwards whatever happens.
func withHealthClient<Result: Sendable>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
    let client = HealthProbe.makeHTTPClient()
    let result: Swift.Result<Result, any Error>
    do { result = .success(try await body(client)) } catch { result = .failure(error) }
    try await client.shutdown()
    return try result.get()
}

/// Reads `path` (a fifo) to its end on a thread of its own, so the open that waits for a writer
/// blocks no task.
func readHealthFifo(_ path: String) async -> String? {
    await withCheckedContinuation { continuation in
        DetachedThread.start {
            let bytes = try? FileSystem.readWholeFile(path, limit: 4096)
            continuation.resume(returning: bytes.map { String(decoding: $0, as: UTF8.self) })
        }
    }
}

/// The live processes whose environment holds `KEEL_HEALTH_TEST=<marker>`.
func livingHealthTestProcesses(marked marker: String) throws -> [Int32] {
    let variable = "\(healthTestVariable)=\(marker)"
    return try ProcessTree.snapshot().filter { entry in
        !entry.isZombie && (ProcessTree.environment(of: entry.pid)?.contains(variable) ?? false)
    }.map(\.pid)
}

/// The variable that marks the processes of one test.
let healthTestVariable = "KEEL_HEALTH_TEST"

/// A marker unique to one test.
func healthTestMarker() -> String {
    var generator = SystemRandomNumberGenerator()
    return String(generator.next() as UInt64, radix: 16)
}
