import Foundation
import KeelFormats
import KeelLedger
import KeelLinux
import KeelSystem
import Synchronization

/// The daemon's events: each is appended to the audit ledger (in order, several at a time as
/// one commit), then kept in memory (the last `capacity`) and sent to every subscriber — so
/// nothing is reported that the ledger does not have.
public final class EventJournal: Sendable {
    /// How many events are kept in memory for `recent` and late subscribers.
    public let capacity: Int

    private struct Pending {
        let event: DaemonEvent
        let draft: LedgerDraft?
    }

    private struct State {
        var sequence = 0
        var pending: [Pending] = []
        var recent: [DaemonEvent] = []
        var subscribers: [Int: AsyncStream<DaemonEvent>.Continuation] = [:]
        var nextSubscriber = 0
        var ledgerFailure: String?
    }

    /// The state, shared with the queue's worker.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()
    private let writer: LedgerWriter
    private let actor: String
    private let queue: WorkQueue<Int, Never>

    /// A journal writing to the ledger under `root`.
    ///
    /// - Throws: `LedgerError` when the ledger cannot be opened.
    public init(root: String, capacity: Int = 2000) throws(LedgerError) {
        self.capacity = capacity
        let writer = try LedgerWriter(directory: LedgerDirectory(root: root))
        self.writer = writer
        actor = "keel-daemon:" + SystemLedger.actor
        let shared = shared
        let capacity = capacity
        // The ledger writer wakes at every event, often just as an agent (re)starts: in the batch
        // class its wake-ups never push that agent off its CPU.
        queue = WorkQueue(threads: 1, yieldingOnWakeUp: true) { _ in
            let batch = shared.state.withLock { state in
                defer { state.pending = [] }
                return state.pending
            }
            guard !batch.isEmpty else { return }
            let drafts = batch.compactMap(\.draft)
            var failure: String?
            if !drafts.isEmpty {
                do throws(LedgerError) { _ = try writer.append(drafts) } catch { failure = error.description }
            }
            let subscribers = shared.state.withLock { state in
                if let failure { state.ledgerFailure = failure }
                state.recent.append(contentsOf: batch.map(\.event))
                if state.recent.count > capacity { state.recent.removeFirst(state.recent.count - capacity) }
                return Array(state.subscribers.values)
            }
            for item in batch {
                for subscriber in subscribers { subscriber.yield(item.event) }
            }
        }
    }

    /// The first failure to append to the ledger, if any (events are still reported).
    public var ledgerFailure: String? { shared.state.withLock { $0.ledgerFailure } }

    /// Appends an event to the ledger, then reports it. Never waits.
    public func record(_ kind: String, subject: String, details: [String: NixJSON]) {
        let text = String(decoding: NixJSON.object(details).serialized, as: UTF8.self)
        enqueue(
            kind, subject: subject, details: details,
            draft: LedgerDraft(actor: actor, kind: kind, subject: subject, details: text))
    }

    /// Reports an event that is in the ledger already (the profile's switch entries, written by
    /// the switcher ahead of the flip), in order with the others. Never waits.
    public func announce(_ kind: String, subject: String, details: [String: NixJSON]) {
        enqueue(kind, subject: subject, details: details, draft: nil)
    }

    private func enqueue(_ kind: String, subject: String, details: [String: NixJSON], draft: LedgerDraft?) {
        let atMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let rendered = details.mapValues(Self.text)
        shared.state.withLock { state in
            state.sequence += 1
            let event = DaemonEvent(
                sequence: state.sequence, atMs: atMs, kind: kind, subject: subject, details: rendered)
            state.pending.append(Pending(event: event, draft: draft))
        }
        queue.submit(0)
    }

    /// The last `limit` events reported, oldest first.
    public func recent(limit: Int) -> [DaemonEvent] {
        shared.state.withLock { Array($0.recent.suffix(max(0, limit))) }
    }

    /// The events after `after` still in memory, then each new one as it is reported.
    public func subscribe(after: Int?) -> AsyncStream<DaemonEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: DaemonEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = shared.state.withLock { state in
            for event in state.recent where event.sequence > (after ?? 0) { continuation.yield(event) }
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.shared.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Writes what is pending, ends every subscription and closes the ledger.
    public func close() {
        queue.finish()
        let subscribers = shared.state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
        try? writer.close()
    }

    /// A detail's value as text.
    static func text(_ value: NixJSON) -> String {
        switch value {
        case .string(let text): text
        default: String(decoding: value.serialized, as: UTF8.self)
        }
    }
}
