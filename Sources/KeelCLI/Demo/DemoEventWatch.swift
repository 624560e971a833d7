import Foundation
import KeelAPI

/// Follows the daemon's events (`GET /v1/events?follow=1`), telling each as one line with the
/// time since a starting point, until a milestone is reached.
struct DemoEventWatch: Sendable {
    /// The daemon's socket.
    let paths: DaemonPaths
    /// Where the lines go.
    let output: DemoOutput
    /// The clock of the timeout.
    let clock: any Clock<Duration>

    /// Tells the events after sequence number `after` until `milestone`, and returns the event
    /// that reached it. Times are from `startMs` (Unix milliseconds).
    ///
    /// - Throws: `CLIError` when an event rules the milestone out, the stream ends (the daemon
    ///   stopped), or `timeout` passes first.
    func follow(after: Int, from startMs: Int64, until milestone: DemoMilestone, timeout: Duration) async throws
        -> DaemonEvent
    {
        let paths = paths
        let output = output
        let clock = clock
        return try await withThrowingTaskGroup(of: DaemonEvent.self) { group in
            group.addTask {
                var milestone = milestone
                do {
                    return try await DaemonClient.with(paths: paths) { client in
                        for try await event in try await client.followEvents(after: after) {
                            output.line(Self.line(event, from: startMs))
                            if try milestone.isReached(by: event) { return event }
                        }
                        throw CLIError("the daemon's event stream ended while waiting for \(milestone)")
                    }
                } catch let error as DaemonClientError {
                    throw CLIError("following the daemon's events failed: \(error)")
                }
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw CLIError("timed out after \(DemoOutput.seconds(timeout)) waiting for \(milestone)")
            }
            defer { group.cancelAll() }
            guard let event = try await group.next() else { throw CancellationError() }
            return event
        }
    }

    /// `  +0.35s  web passed its health check`.
    static func line(_ event: DaemonEvent, from startMs: Int64) -> String {
        "  " + elapsed(event.atMs - startMs) + "  " + DemoEventNarration.sentence(event)
    }

    /// `+1.23s` (at least 6 characters wide, so sentences line up).
    static func elapsed(_ milliseconds: Int64) -> String {
        let text = String(format: "%+.2fs", Double(milliseconds) / 1000)
        return String(repeating: " ", count: max(0, 7 - text.count)) + text
    }
}
