import AsyncHTTPClient
import KeelFormats
import KeelSystem

extension Supervisor {
    /// How often an agent whose readiness is its health check is probed until the first pass.
    static var readinessProbeInterval: Duration { .milliseconds(100) }

    /// Starts `record`'s health monitor when it has a check. An agent with `ready = "health"` is
    /// probed every 100 ms (or its interval, if shorter) until a check passes — failures before
    /// then only delay readiness, which its ready timeout bounds — and then at its interval;
    /// other agents at their interval from the start.
    func startHealthMonitor(_ record: AgentRecord<C.Instant>, instance: Int) {
        guard let health = record.agent.health else { return }
        let probing = record.agent.ready == "health" && !record.ready
        let monitor: HealthMonitor
        do throws(SupervisorError) {
            let probe = try HealthProbe(
                health, httpClient: healthClient(), environment: record.agent.env,
                workingDirectory: paths.stateDirectory(record.name), clock: clock)
            let name = record.name
            let handler: @Sendable (HealthEvent) -> Void = { [weak self] event in
                guard let self else { return }
                Task { await self.healthEvent(name, instance: instance, event, probing: probing) }
            }
            if probing {
                monitor = HealthMonitor(
                    probe: probe, interval: min(Self.readinessProbeInterval, .milliseconds(health.intervalMs)),
                    failureThreshold: Int.max, clock: clock, handler: handler)
            } else {
                monitor = try HealthMonitor(health, probe: probe, clock: clock, handler: handler)
            }
        } catch {
            record.problem = error.description
            emit("agent.health", record.name, ["passed": .bool(false), "reason": .string(error.description)])
            return
        }
        record.stopHealth?()
        record.stopHealth = { monitor.stop() }
        monitor.start(initialDelay: probing ? .zero : .milliseconds(health.intervalMs))
    }

    /// One health event of `name`'s monitor.
    func healthEvent(_ name: String, instance: Int, _ event: HealthEvent, probing: Bool) async {
        guard let record = records[name], record.instance == instance, record.stopHealth != nil else { return }
        if probing {
            // Until the first pass: readiness only.
            guard case .checked(let verdict, _) = event, verdict.hasPassed else { return }
            record.healthy = true
            emit("agent.health", name, ["passed": .bool(true)])
            if record.phase == .starting { becameReady(record) }
            record.stopHealth?()
            record.stopHealth = nil
            startHealthMonitor(record, instance: instance)
            return
        }
        switch event {
        case .checked(let verdict, let failures):
            guard !verdict.hasPassed else { return }
            emit(
                "agent.health", name,
                [
                    "passed": .bool(false), "failures": .integer(Int64(failures)),
                    "reason": .string(verdict.failureReason ?? verdict.description),
                ])
        case .becameHealthy:
            record.healthy = true
            emit("agent.health", name, ["passed": .bool(true)])
            if record.agent.ready == "health" && record.phase == .starting { becameReady(record) }
        case .becameUnhealthy(let failures, let reason):
            record.healthy = false
            emit("agent.unhealthy", name, ["failures": .integer(Int64(failures)), "reason": .string(reason)])
            await endFailed(record, instance: instance, reason: "unhealthy: \(failures) failed checks (\(reason))")
        }
    }

    /// The HTTP client health checks share, made on first use; `stopAll()` shuts it down.
    func healthClient() -> HTTPClient {
        if let client = httpClient { return client }
        let client = HealthProbe.makeHTTPClient()
        httpClient = client
        return client
    }
}
