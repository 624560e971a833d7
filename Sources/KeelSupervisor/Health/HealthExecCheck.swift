import KeelLinux

/// The `exec` check: a program that must exit 0 within the time limit.
enum HealthExecCheck {
    /// Runs `arguments` (`arguments[0]` a path) with `environment` in `workingDirectory`; kills
    /// its process group once `timeout` has passed on `clock` or the task is cancelled.
    static func run(
        arguments: [String], environment: [String: String], workingDirectory: String, timeout: Duration,
        clock: any Clock<Duration>
    ) async -> HealthVerdict {
        let run = HealthExecRun(arguments: arguments, environment: environment, workingDirectory: workingDirectory)
        let timedOut = HealthTimeout.reason(timeout)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HealthVerdict, Never>) in
                let timer = Task {
                    do { try await clock.sleep(for: timeout) } catch { return }
                    run.end(because: timedOut)
                }
                // The run blocks (poll, waitpid): on a thread of its own, never on the pool.
                DetachedThread.start {
                    let verdict = run.runToEnd()
                    timer.cancel()
                    continuation.resume(returning: verdict)
                }
            }
        } onCancel: {
            run.end(because: "cancelled")
        }
    }
}
