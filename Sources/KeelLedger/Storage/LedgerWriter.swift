import Foundation
import KeelFormats
import KeelLinux
import Synchronization

/// Appends entries to a ledger: one process's writer, safe to share between its threads and
/// to run beside writers in other processes.
///
/// Each `append` is one commit: under the ledger's exclusive `flock`, it brings its view of
/// the tail up to date (cutting a torn tail and recording a `ledger.recovered` entry), writes
/// the records and their Merkle nodes, `fdatasync`s both, and signs a checkpoint when one is
/// due. When it returns, the entries are on disk. Call `close()` when done: it signs a final
/// checkpoint, so the latest checkpoint covers every entry whenever no writer is active.
public final class LedgerWriter: Sendable {
    /// When checkpoints are written.
    public struct Policy: Sendable {
        /// Sign a checkpoint once this many entries are not covered by one.
        public var everyEntries: UInt64
        /// Sign a checkpoint at a commit when the latest is older than this (microseconds).
        public var everyMicroseconds: Int64

        /// The defaults: every 1,000 entries or 60 seconds.
        public init(everyEntries: UInt64 = 1000, everyMicroseconds: Int64 = 60_000_000) {
            self.everyEntries = everyEntries
            self.everyMicroseconds = everyMicroseconds
        }
    }

    private struct State: ~Copyable {
        let files: LedgerFiles
        var tail: LedgerTail?
        var key: SigningSecretKey?
        var commits = 0
    }

    private let state: Mutex<State>
    private let directory: LedgerDirectory
    private let policy: Policy
    private let now: @Sendable () -> Int64

    /// Opens (creating on first use) the ledger in `directory`.
    ///
    /// - Parameters:
    ///   - directory: the ledger directory.
    ///   - policy: when to sign checkpoints.
    ///   - now: the clock, in microseconds since the Unix epoch.
    public init(
        directory: LedgerDirectory, policy: Policy = Policy(),
        now: @escaping @Sendable () -> Int64 = LedgerClock.now
    ) throws(LedgerError) {
        self.directory = directory
        self.policy = policy
        self.now = now
        state = Mutex(State(files: try LedgerFiles(directory, create: true)))
    }

    /// How many commits (`fdatasync` rounds) this writer has made.
    public var commits: Int { state.withLock { $0.commits } }

    /// Appends `drafts` in order as one durable commit and returns the entries written.
    ///
    /// - Throws: `LedgerError` (`.keyMissing` when the ledger exists but its secret key is
    ///   gone; `.damaged` when entries a checkpoint covers are damaged).
    public func append(_ drafts: [LedgerDraft]) throws(LedgerError) -> [LedgerEntry] {
        try locked { state, tail throws(LedgerError) in
            let key = try signingKey(&state, tail: tail)
            return try commit(drafts, tail: &tail, key: key, state: &state)
        }
    }

    /// Signs a checkpoint over every entry unless the latest already covers them all.
    ///
    /// - Returns: the latest checkpoint afterwards (`nil` while the ledger is empty).
    @discardableResult
    public func checkpoint() throws(LedgerError) -> Checkpoint? {
        try locked { state, tail throws(LedgerError) in
            if tail.count > (tail.latestCheckpoint?.size ?? 0) {
                let key = try signingKey(&state, tail: tail)
                try sign(&tail, key: key, files: state.files)
            }
            return tail.latestCheckpoint
        }
    }

    /// Replaces the signing key: makes a new one, records a `ledger.key-rotated` entry holding
    /// the old and new public keys, and signs a checkpoint over it with the old key (when it
    /// still exists) and then with the new one.
    ///
    /// - Returns: the rotation entry.
    public func rotateKey(actor: String) throws(LedgerError) -> LedgerEntry {
        try locked { state, tail throws(LedgerError) in
            let keys = LedgerKeys(directory: directory)
            let oldSecret = try keys.secretKey()
            var oldPublic = oldSecret?.publicKey
            if oldPublic == nil { oldPublic = try keys.publicKey() }
            let generation = LedgerKeys.generation(of: oldPublic?.name ?? "") + 1
            let newKey = try keys.create(generation: generation)
            let details: [String: Any] = [
                "old": oldPublic.map { $0.text as Any } ?? NSNull(),
                "new": newKey.publicKey.text,
                "oldSecretKeyPresent": oldSecret != nil,
            ]
            let draft = LedgerDraft(
                actor: actor, kind: LedgerKind.keyRotated.rawValue, subject: newKey.name,
                details: try Self.canonical(details))
            if let oldSecret {
                let entries = try commit([draft], tail: &tail, key: oldSecret, state: &state, signing: false)
                try sign(&tail, key: oldSecret, files: state.files)
                state.key = newKey
                try sign(&tail, key: newKey, files: state.files)
                return entries[0]
            }
            state.key = newKey
            let entries = try commit([draft], tail: &tail, key: newKey, state: &state, signing: false)
            try sign(&tail, key: newKey, files: state.files)
            return entries[0]
        }
    }

    /// Signs a final checkpoint if entries are not yet covered by one.
    public func close() throws(LedgerError) {
        try checkpoint()
    }

    // MARK: - Inside the lock

    private func locked<R: Sendable>(_ body: (inout State, inout LedgerTail) throws(LedgerError) -> R)
        throws(LedgerError) -> R
    {
        try state.withLock { (state: inout State) throws(LedgerError) -> R in
            do { try FileSystem.lock(state.files.lock) } catch { throw .fileSystem("cannot lock the ledger", error) }
            defer { FileSystem.unlock(state.files.lock) }
            do throws(LedgerError) {
                let entriesSize = try state.files.size(state.files.entries, "entries")
                let checkpointsSize = try state.files.size(state.files.checkpoints, "checkpoints")
                if entriesSize <= 8 && checkpointsSize == 0 { _ = try signingKey(&state, isNew: true) }
                var (tail, cut) = try TailRecovery(files: state.files).refresh(state.tail)
                state.tail = tail
                if let cut {
                    let key = try signingKey(&state, tail: tail)
                    _ = try commit([Self.recoveredDraft(cut)], tail: &tail, key: key, state: &state)
                }
                let result = try body(&state, &tail)
                state.tail = tail
                return result
            } catch {
                state.tail = nil
                throw error
            }
        }
    }

    private func signingKey(_ state: inout State, tail: LedgerTail) throws(LedgerError) -> SigningSecretKey {
        try signingKey(&state, isNew: tail.count == 0 && tail.latestCheckpoint == nil)
    }

    private func signingKey(_ state: inout State, isNew: Bool) throws(LedgerError) -> SigningSecretKey {
        if let key = state.key { return key }
        let keys = LedgerKeys(directory: directory)
        if let key = try keys.secretKey() {
            state.key = key
            return key
        }
        guard isNew else {
            throw LedgerError(
                .keyMissing,
                "the ledger's secret key \(directory.secretKeyPath) is gone; appends are refused until "
                    + "`keel ledger rotate-key` makes a new one")
        }
        let key = try keys.create(generation: 1)
        state.key = key
        return key
    }

    private func commit(
        _ drafts: [LedgerDraft], tail: inout LedgerTail, key: SigningSecretKey, state: inout State,
        signing: Bool = true
    ) throws(LedgerError) -> [LedgerEntry] {
        guard !drafts.isEmpty else { return [] }
        var next = tail
        var records: [UInt8] = []
        var nodes: [UInt8] = []
        var entries: [LedgerEntry] = []
        entries.reserveCapacity(drafts.count)
        let time = now()
        for draft in drafts {
            let entry = LedgerEntry(
                sequence: next.count + 1, time: time, actor: draft.actor, kind: draft.kind, subject: draft.subject,
                details: draft.details, previousHash: next.lastHash)
            let (record, hash) = EntryEncoding.record(of: entry)
            guard record.count - EntryEncoding.recordOverhead <= EntryEncoding.maximumBodyLength else {
                throw LedgerError(.badInput, "an entry may hold at most 1 MiB; entry \(entry.sequence) is larger")
            }
            records.append(contentsOf: record)
            next.range.append(hash) { _, node in nodes.append(contentsOf: node.bytes) }
            next.count += 1
            next.lastHash = hash
            entries.append(entry)
        }
        let files = state.files
        do {
            try FileSystem.write(files.entries, records, at: tail.entriesEnd)
            try FileSystem.write(files.nodes, nodes, at: tail.nodesEnd)
            try FileSystem.syncData(files.entries)
            try FileSystem.syncData(files.nodes)
        } catch { throw .fileSystem("cannot append to the ledger", error) }
        next.entriesEnd += UInt64(records.count)
        next.nodesEnd += UInt64(nodes.count)
        tail = next
        state.commits += 1
        let covered = tail.latestCheckpoint?.size ?? 0
        let age = time - (tail.latestCheckpoint?.time ?? time)
        if signing && (tail.count - covered >= policy.everyEntries || age >= policy.everyMicroseconds) {
            try sign(&tail, key: key, files: files)
        }
        return entries
    }

    private func sign(_ tail: inout LedgerTail, key: SigningSecretKey, files: LedgerFiles) throws(LedgerError) {
        let checkpoint = Checkpoint.sign(
            size: tail.count, root: tail.root, time: now(), offset: tail.entriesEnd, with: key)
        tail.checkpointsEnd = try CheckpointFile(fd: files.checkpoints).append(checkpoint, at: tail.checkpointsEnd)
        tail.latestCheckpoint = checkpoint
    }

    private static func recoveredDraft(_ cut: CutTail) -> LedgerDraft {
        let details: [String: Any] = [
            "cutFromSequence": cut.fromSequence, "cutAtOffset": cut.offset, "bytesCut": cut.bytes, "reason": cut.reason,
        ]
        return LedgerDraft(
            actor: "keel", kind: LedgerKind.recovered.rawValue, subject: "entries",
            details: (try? canonical(details)) ?? "{}")
    }

    private static func canonical(_ details: [String: Any]) throws(LedgerError) -> String {
        do { return try LedgerDetails.canonical(details) } catch {
            throw LedgerError(.badInput, "cannot encode details", cause: error)
        }
    }
}
