import KeelFormats
import KeelLinux
import KeelSystem

extension Supervisor {
    /// `record` is ready: dependents waiting on it start.
    func becameReady(_ record: AgentRecord<C.Instant>) {
        guard !record.ready else { return }
        record.ready = true
        record.phase = .running
        record.cancelTimer("ready")
        let after = record.startedAt.map { $0.duration(to: clock.now) } ?? .zero
        emit("agent.ready", record.name, ["after_ms": .integer(after.milliseconds)])
        releaseDependents(of: record.name)
    }

    /// The agent was not ready within its ready timeout: it is ended as failed.
    func readyTimedOut(_ name: String, instance: Int, after timeout: Duration) async {
        guard let record = records[name], record.instance == instance, !record.ready, record.phase == .starting
        else { return }
        record.timers["ready"] = nil
        let reason = "not ready within \(timeout.milliseconds) ms"
        emit("agent.ready-timeout", name, ["timeout_ms": .integer(timeout.milliseconds)])
        await endFailed(record, instance: instance, reason: reason)
    }

    /// A notify message arrived on `name`'s socket.
    func notified(_ name: String, _ notification: NotifySocket.Notification) async {
        guard let record = records[name], let process = record.process, process.termination == nil else { return }
        guard
            notification.senderPID == process.pid
                || NotifyAttribution.belongsToTree(senderPID: notification.senderPID, agentPID: process.pid)
        else { return }
        let message = notification.message
        let instance = record.instance
        if let status = message.status, status != record.statusText {
            record.statusText = status
            emit("agent.status", name, ["status": .string(status)])
        }
        if let microseconds = message.watchdogIntervalMicroseconds, microseconds > 0 {
            record.watchdogInterval = .microseconds(Int64(clamping: microseconds))
        }
        switch message.watchdog {
        case .some(.ping):
            armWatchdog(record)
        case .some(.trigger):
            emit("agent.watchdog", name, ["reason": .string("the agent asked for it (WATCHDOG=trigger)")])
            await endFailed(record, instance: instance, reason: "watchdog triggered by the agent")
            return
        case .none: break
        }
        if message.isReady && record.agent.ready == "notify" && record.phase == .starting {
            becameReady(record)
        }
    }

    /// (Re)arms `record`'s watchdog: it must ping within its interval from now.
    func armWatchdog(_ record: AgentRecord<C.Instant>) {
        guard let interval = record.watchdogInterval else { return }
        let deadline = clock.now.advanced(by: interval)
        record.watchdogDeadline = deadline
        guard record.timers["watchdog"] == nil else { return }
        scheduleWatchdog(record, at: deadline)
    }

    /// Sleeps until `deadline`; a ping meanwhile moved the deadline on, and the timer sleeps
    /// again rather than being replaced at every ping.
    private func scheduleWatchdog(_ record: AgentRecord<C.Instant>, at deadline: C.Instant) {
        let name = record.name
        let instance = record.instance
        let wait = clock.now.duration(to: deadline)
        schedule(record, "watchdog", after: max(wait, .zero)) { supervisor in
            await supervisor.watchdogDue(name, instance: instance)
        }
    }

    /// The watchdog timer woke: the agent missed its heartbeat unless the deadline moved.
    func watchdogDue(_ name: String, instance: Int) async {
        guard let record = records[name], record.instance == instance, let deadline = record.watchdogDeadline
        else { return }
        record.timers["watchdog"] = nil
        if clock.now < deadline {
            scheduleWatchdog(record, at: deadline)
            return
        }
        let interval = record.watchdogInterval?.milliseconds ?? 0
        emit("agent.watchdog", name, ["reason": .string("no heartbeat within \(interval) ms")])
        await endFailed(record, instance: instance, reason: "missed its watchdog heartbeat (\(interval) ms)")
    }
}
