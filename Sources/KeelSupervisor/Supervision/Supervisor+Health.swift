import KeelSystem

extension Supervisor {
    /// Starts `record`'s health monitor when it has a check.
    func startHealthMonitor(_ record: AgentRecord<C.Instant>, instance: Int) {
        guard record.agent.health != nil else { return }
        // Wired to HealthMonitor once it lands.
    }
}
