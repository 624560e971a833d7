import Foundation
import KeelFormats
import KeelSupervisor
import KeelSystem
import KeelWatch

extension KeelDaemon {
    /// Puts `generation` on probation watching `watched`; returns its length. With nothing to
    /// watch or a zero probation, the generation passes at once.
    func beginProbation(
        _ generation: Generation, watched: Set<String>, settings: SystemManifest.SafeSwitch
    ) -> Int64 {
        var probation = Probation(
            generation: generation.number, watched: watched, settings: settings, startedAt: clock.now)
        journal.record(
            "safeswitch.probation", subject: "generation-\(generation.number)",
            details: [
                "probation_ms": .integer(settings.probationMs), "watched": .array(watched.sorted().map(NixJSON.string)),
            ])
        if watched.isEmpty || settings.probationMs <= 0 {
            _ = probation.expire(at: probation.deadline)
            self.probation = probation
            conclude(.passed)
            return 0
        }
        self.probation = probation
        let deadline = probation.deadline
        let clock = clock
        probationTimer = Task { [weak self] in
            do { try await clock.sleep(until: deadline) } catch { return }
            await self?.probationDeadline(generation.number)
        }
        return settings.probationMs
    }

    /// Drops the probation in progress (a new switch supersedes it; the generation stays
    /// pending).
    func endProbation() {
        probationTimer?.cancel()
        probationTimer = nil
        if let probation, probation.verdict == nil {
            journal.record(
                "safeswitch.superseded", subject: "generation-\(probation.generation)",
                details: ["generation": .integer(Int64(probation.generation))])
            probationView = nil
        }
        probation = nil
    }

    /// A supervisor event, in order: probation sees it.
    func observe(_ event: SupervisorEvent) async {
        guard var probation, probation.verdict == nil else { return }
        let verdict = probation.observe(event, at: clock.now)
        self.probation = probation
        if let verdict { conclude(verdict) }
    }

    /// Probation's time is up: it passes if every watched agent runs.
    func probationDeadline(_ number: Int) async {
        guard var probation, probation.generation == number, probation.verdict == nil else { return }
        let snapshots = await supervisor.snapshots()
        let notRunning = snapshots.filter { probation.watched.contains($0.name) && $0.phase != .running }
        let verdict: ProbationVerdict?
        if let first = notRunning.first {
            verdict = probation.fail("agent \(first.name) is \(first.phase.rawValue), not running, when probation ends")
        } else {
            verdict = probation.expire(at: clock.now)
        }
        self.probation = probation
        if let verdict { conclude(verdict) }
    }

    /// Acts on a verdict: a passed generation is marked good; a failed one is marked failed and
    /// the profile goes back to the last good generation, whose agents are reactivated.
    func conclude(_ verdict: ProbationVerdict) {
        guard let probation else { return }
        probationTimer?.cancel()
        probationTimer = nil
        let number = probation.generation
        let subject = "generation-\(number)"
        switch verdict {
        case .passed:
            try? profile.setStatus(.good, of: number)
            probationView = ProbationView(generation: number, state: "passed", remainingMs: nil, reason: nil)
            journal.record("safeswitch.passed", subject: subject, details: ["generation": .integer(Int64(number))])
        case .failed(let reason):
            probationView = ProbationView(generation: number, state: "failed", remainingMs: nil, reason: reason)
            journal.record(
                "safeswitch.failed", subject: subject,
                details: ["generation": .integer(Int64(number)), "reason": .string(reason)])
            try? profile.setStatus(.failed, of: number)
            let began = clock.now
            Task { await self.rollBack(from: number, reason: reason, began: began) }
        }
    }

    /// SafeSwitch's rollback: back to the last good generation, reactivated.
    func rollBack(from number: Int, reason: String, began: ContinuousClock.Instant) async {
        guard current?.number == number else { return }
        let outcome: SwitchOutcome
        do throws(APIError) {
            outcome = try await rollback()
        } catch {
            journal.record(
                "safeswitch.rollback-failed", subject: "generation-\(number)",
                details: ["reason": .string(reason), "error": .string(error.message)])
            return
        }
        journal.record(
            "safeswitch.rolled-back", subject: "generation-\(number)",
            details: [
                "from": .integer(Int64(number)), "to": .integer(Int64(outcome.generation)), "reason": .string(reason),
                "took_ms": .integer(began.duration(to: clock.now).milliseconds),
            ])
    }
}
