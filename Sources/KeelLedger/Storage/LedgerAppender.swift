/// Group commit for one process: concurrent tasks call `append`, and every draft that arrives
/// while a commit is being made to disk goes into the next commit together, so many entries
/// share one `fdatasync`.
public actor LedgerAppender {
    private let writer: LedgerWriter
    private var pending: [(LedgerDraft, CheckedContinuation<LedgerEntry, any Error>)] = []
    private var isCommitting = false

    /// Group-commits through `writer`.
    public init(writer: LedgerWriter) { self.writer = writer }

    /// Appends `draft`; returns once it is on disk.
    public func append(_ draft: LedgerDraft) async throws -> LedgerEntry {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((draft, continuation))
            if !isCommitting {
                isCommitting = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let drafts = batch.map(\.0)
            let result = await Self.commit(drafts, with: writer)
            switch result {
            case .success(let entries):
                for (index, item) in batch.enumerated() { item.1.resume(returning: entries[index]) }
            case .failure(let error):
                for item in batch { item.1.resume(throwing: error) }
            }
        }
        isCommitting = false
    }

    /// Runs the blocking commit off the actor, so new drafts can queue meanwhile.
    @concurrent
    private static func commit(_ drafts: [LedgerDraft], with writer: LedgerWriter) async -> Result<
        [LedgerEntry], LedgerError
    > {
        do throws(LedgerError) { return .success(try writer.append(drafts)) } catch { return .failure(error) }
    }
}
