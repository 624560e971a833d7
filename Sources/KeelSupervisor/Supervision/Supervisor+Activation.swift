import KeelFormats
import KeelSystem

extension Supervisor {
    /// Makes `manifest`'s agents the running set: stops the agents it removed and those whose
    /// resolved definition changed (dependents first), then starts the changed and the new ones
    /// (each once the agents it depends on are ready), and leaves the unchanged ones running
    /// untouched. Returns once every stop has ended and every start has been issued; readiness
    /// follows as events.
    @discardableResult
    public func activate(_ manifest: SystemManifest) async -> ActivationPlan {
        let plan = ActivationPlan(from: self.manifest, to: manifest)
        self.manifest = manifest
        let logSettings = (Int(clamping: manifest.host.logMaxSize), max(0, manifest.host.logFiles))
        if logSettings != (logMaxSize, logFiles) {
            (logMaxSize, logFiles) = logSettings
            // Logs opened from now on rotate by the new settings.
            for record in records.values where record.process?.termination != nil || record.process == nil {
                record.log = nil
            }
        }
        for step in plan.steps {
            guard case .stop(let name) = step, let record = records[name] else { continue }
            record.wanted = false
            record.startAfterStop = false
            await halt(record, reason: plan.removed.contains(name) ? "removed" : "changed")
        }
        for name in plan.removed {
            records[name]?.notifySocket?.close()
            records[name] = nil
        }
        for name in plan.unchanged {
            // A stopped or failed agent the new generation still has is started again.
            guard let record = records[name], record.phase == .stopped || record.phase == .failed else { continue }
            record.wanted = true
            launchWhenReady(record)
        }
        for step in plan.steps {
            guard case .start(let name) = step, let agent = manifest.agents[name] else { continue }
            let record = records[name] ?? AgentRecord(name: name, agent: agent)
            record.agent = agent
            record.schedule = RestartSchedule(agent.restart)
            record.restarts = 0
            record.problem = nil
            record.freshState = true
            record.wanted = true
            records[name] = record
        }
        for step in plan.steps {
            guard case .start(let name) = step, let record = records[name] else { continue }
            launchWhenReady(record)
        }
        return plan
    }

    /// Stops every agent, dependents before what they depend on (agents independent of each
    /// other stop together), and forgets them: for the daemon's shutdown.
    public func stopAll() async {
        var remaining = Set(records.keys)
        while !remaining.isEmpty {
            // Those no remaining agent depends on stop in this round.
            let needed = Set(remaining.flatMap { records[$0]?.agent.dependsOn ?? [] })
            var round = remaining.subtracting(needed)
            if round.isEmpty { round = remaining }
            await withTaskGroup(of: Void.self) { group in
                for name in round {
                    guard let record = records[name] else { continue }
                    record.wanted = false
                    record.startAfterStop = false
                    group.addTask { await self.halt(named: name) }
                }
            }
            remaining.subtract(round)
        }
        for record in records.values { record.notifySocket?.close() }
        if let client = httpClient {
            httpClient = nil
            try? await client.shutdown()
        }
    }

    /// `halt` by name, for a task of a group.
    func halt(named name: String) async {
        guard let record = records[name] else { return }
        await halt(record, reason: "keel daemon stopping")
    }
}
