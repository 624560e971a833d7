import Foundation
import KeelFormats
import KeelLedger
import KeelStore

/// Records generations and flips the system profile: to a newly realised system, to a given
/// generation, or back to the previous good one. Every change is appended to the audit ledger
/// before it is reported.
public struct SystemSwitcher {
    /// Where the store and the profile live.
    public let layout: StoreLayout
    /// The system profile.
    public let profile: Profile
    /// Told when the profile lock is held by another process and this one waits.
    public let noticeWaiting: (String) -> Void

    /// A switcher for the profile in `layout`'s state root. It does not open the store: a
    /// generation's system path is kept by the generation's link, a GC root.
    public init(layout: StoreLayout, noticeWaiting: @escaping (String) -> Void = { _ in }) {
        self.layout = layout
        self.profile = Profile(systemIn: layout)
        self.noticeWaiting = noticeWaiting
    }

    /// What a switch did.
    public struct Outcome: Sendable {
        /// The generation now current.
        public let generation: Generation
        /// The generation current before, if any.
        public let previous: Generation?
        /// Whether a new generation was made (false when the system was already current).
        public let isNew: Bool
    }

    /// Makes `systemPath` (valid in the store: just realised) current as a new generation, unless it already
    /// is. The caller holds the store's collection lock from before the path was realised.
    public func switchTo(
        systemPath: String, configHash: String?, gitCommit: String?, host: String
    ) throws -> Outcome {
        let lock = try profile.lock(waiting: noticeWaiting)
        defer { withExtendedLifetime(lock) {} }
        let previous = try profile.current()
        if let previous, previous.systemPath == systemPath {
            return Outcome(generation: previous, previous: previous, isNew: false)
        }
        let created = try profile.create(
            systemPath: systemPath, configHash: configHash, gitCommit: gitCommit, host: host, status: .pending)
        let current = try flipRecorded(
            to: created, kind: "system.switch", previous: previous,
            extra: ["config_hash": configHash ?? "", "git_commit": gitCommit ?? ""])
        return Outcome(generation: current, previous: previous, isNew: true)
    }

    /// Makes generation `number` current (`keel switch --to N`).
    public func switchTo(generation number: Int) throws -> Outcome {
        let lock = try profile.lock(waiting: noticeWaiting)
        defer { withExtendedLifetime(lock) {} }
        guard let target = try profile.generation(number) else {
            throw EvaluationError("there is no generation \(number) (see `keel generations`)")
        }
        return try flip(to: target, kind: "system.switch")
    }

    /// Makes the previous good generation current (`keel rollback`).
    public func rollback() throws -> Outcome {
        let lock = try profile.lock(waiting: noticeWaiting)
        defer { withExtendedLifetime(lock) {} }
        guard let current = try profile.current() else {
            throw EvaluationError("there is no current generation to roll back from")
        }
        guard let target = try profile.previousGood(before: current.number) else {
            throw EvaluationError("there is no earlier generation that is not marked failed to roll back to")
        }
        return try flip(to: target, kind: "system.rollback")
    }

    private func flip(to target: Generation, kind: String) throws -> Outcome {
        let previous = try profile.current()
        if previous?.number == target.number { return Outcome(generation: target, previous: previous, isNew: false) }
        guard FileManager.default.fileExists(atPath: target.systemPath + "/manifest.json") else {
            throw EvaluationError(
                "generation \(target.number)'s system path '\(target.systemPath)' is missing or not a Keel system")
        }
        let current = try flipRecorded(to: target, kind: kind, previous: previous, extra: [:])
        return Outcome(generation: current, previous: previous, isNew: false)
    }

    /// Appends the change to the ledger, then flips the profile: the ledger is written ahead, so
    /// a crash between the two leaves an entry for a switch that did not happen (the profile
    /// shows which generation is current), never a switch the ledger does not have. A flip that
    /// fails is recorded as `system.switch-failed` with its reason.
    private func flipRecorded(to target: Generation, kind: String, previous: Generation?, extra: [String: String])
        throws -> Generation
    {
        let current = Generation(
            number: target.number, link: target.link, systemPath: target.systemPath, record: target.record,
            isRecorded: target.isRecorded, isCurrent: true)
        try record(kind, current, previous: previous, extra: extra)
        do { try profile.switchTo(target.number) } catch {
            try? record(
                "system.switch-failed", current, previous: previous, extra: ["reason": error.description])
            throw error
        }
        return current
    }

    /// Appends the change to the ledger in the state root.
    private func record(_ kind: String, _ generation: Generation, previous: Generation?, extra: [String: String]) throws
    {
        var details: [String: NixJSON] = [
            "generation": .integer(Int64(generation.number)), "path": .string(generation.systemPath),
        ]
        if let previous { details["previous"] = .integer(Int64(previous.number)) }
        for (key, value) in extra where !value.isEmpty { details[key] = .string(value) }
        try SystemLedger(root: layout.root).record(kind, subject: "generation-\(generation.number)", details: details)
    }
}
