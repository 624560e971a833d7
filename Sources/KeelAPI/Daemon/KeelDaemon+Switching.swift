import Foundation
import KeelFormats
import KeelLinux
import KeelSupervisor
import KeelSystem
import KeelWatch

extension KeelDaemon {
    /// Switches the profile to a system path (a new generation) or a generation, activates it
    /// and puts it on probation; a generation marked failed needs `force`.
    public func switchSystem(_ request: SwitchRequest) async throws(APIError) -> SwitchOutcome {
        let switcher = SystemSwitcher(layout: layout)
        let outcome: SystemSwitcher.Outcome
        if let number = request.generation {
            guard request.systemPath == nil else {
                throw APIError.badRequest("give either a system path or a generation, not both")
            }
            let target: Generation?
            do throws(ProfileError) { target = try profile.generation(number) } catch {
                throw APIError.failed(error.description)
            }
            guard let target else {
                throw APIError.notFound("there is no generation \(number) (see `keel generations`)")
            }
            if target.status == .failed && !request.force {
                throw APIError.conflict(
                    "generation \(number) failed its probation; switch to it anyway with --force")
            }
            outcome = try perform { try switcher.switchTo(generation: number) }
        } else if let systemPath = request.systemPath {
            let manifest = try Self.manifest(of: systemPath)
            outcome = try perform {
                try switcher.switchTo(
                    systemPath: systemPath, configHash: request.configHash, gitCommit: request.gitCommit,
                    host: manifest.host.name)
            }
        } else {
            throw APIError.badRequest("give a system path or a generation to switch to")
        }
        journal.announce(
            "system.switch", subject: "generation-\(outcome.generation.number)",
            details: [
                "generation": .integer(Int64(outcome.generation.number)),
                "path": .string(outcome.generation.systemPath),
            ])
        return try await activate(outcome.generation, isNew: outcome.isNew, previous: outcome.previous)
    }

    /// Switches back to the last good generation before the current one and activates it.
    public func rollback() async throws(APIError) -> SwitchOutcome {
        let switcher = SystemSwitcher(layout: layout)
        let outcome = try perform { try switcher.rollback() }
        journal.announce(
            "system.rollback", subject: "generation-\(outcome.generation.number)",
            details: ["generation": .integer(Int64(outcome.generation.number))])
        return try await activate(outcome.generation, isNew: false, previous: outcome.previous, judge: false)
    }

    /// Runs one of the switcher's operations, mapping its errors.
    private func perform(_ operation: () throws -> SystemSwitcher.Outcome) throws(APIError) -> SystemSwitcher.Outcome {
        do { return try operation() } catch {
            let message = String(describing: error)
            if message.hasPrefix("there is no") { throw APIError.notFound(message) }
            throw APIError.failed(message)
        }
    }

    /// The manifest of a system path, validated.
    static func manifest(of systemPath: String) throws(APIError) -> SystemManifest {
        let file = systemPath + "/manifest.json"
        let bytes: [UInt8]
        do throws(SystemError) { bytes = try FileSystem.readWholeFile(file, limit: 64 << 20) } catch {
            throw APIError.notFound("'\(systemPath)' is not a Keel system: \(error)")
        }
        do throws(EvaluationError) { return try SystemManifest.decode(bytes) } catch {
            throw APIError.badRequest("\(file): \(error)")
        }
    }

    /// Makes `generation`'s agents the running set and, unless it is judged good already (or
    /// `judge` is false), puts it on probation.
    func activate(
        _ generation: Generation, isNew: Bool, previous: Generation? = nil, judge: Bool = true
    ) async throws(APIError) -> SwitchOutcome {
        let manifest = try Self.manifest(of: generation.systemPath)
        endProbation()
        let plan = await supervisor.activate(manifest)
        current = generation
        journal.record(
            "system.activate", subject: "generation-\(generation.number)",
            details: [
                "started": .array(plan.added.map(NixJSON.string)), "stopped": .array(plan.removed.map(NixJSON.string)),
                "restarted": .array(plan.changed.map(NixJSON.string)),
                "unchanged": .array(plan.unchanged.map(NixJSON.string)),
            ])
        var probationMs: Int64?
        if judge && generation.status != .good {
            let watched = Set(plan.added + plan.changed)
            probationMs = beginProbation(generation, watched: watched, settings: manifest.safeSwitch)
        }
        return SwitchOutcome(
            generation: generation.number, previousGeneration: previous?.number, started: plan.added,
            stopped: plan.removed, restarted: plan.changed, unchanged: plan.unchanged, probationMs: probationMs,
            systemPath: generation.systemPath)
    }
}
