import KeelLinux

/// systemd's notify protocol from the agent's side: datagrams of `KEY=VALUE` lines sent to the
/// socket named by `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace).
struct TestAgentNotifier: Sendable {
    /// `$NOTIFY_SOCKET`, or nil when the agent was started without it.
    let socket: String?

    /// The notifier for this process's environment.
    static func fromEnvironment() -> TestAgentNotifier {
        TestAgentNotifier(socket: TestAgentEnvironment.value("NOTIFY_SOCKET"))
    }

    /// Sends `message` (lines of `KEY=VALUE`) as one datagram.
    ///
    /// - Throws: `CLIError` when there is no `$NOTIFY_SOCKET` or the send fails (a full queue
    ///   fails at once instead of blocking the agent).
    func send(_ message: String) throws(CLIError) {
        guard let socket else { throw CLIError("no NOTIFY_SOCKET in the environment") }
        do {
            try DatagramSocket.send(Array(message.utf8), to: socket)
        } catch {
            throw CLIError("NOTIFY_SOCKET \(socket): \(error.reason)")
        }
    }
}
