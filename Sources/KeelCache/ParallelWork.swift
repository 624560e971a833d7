import KeelLinux

/// Runs blocking work on several threads of its own (`WorkQueue`), for lookups and downloads
/// that wait on a cache.
enum ParallelWork {
    /// Calls `body` once for each of `items`, at most `threads` at a time, and returns when
    /// all are done.
    static func forEach<Item: Sendable>(_ items: [Item], threads: Int, _ body: @escaping @Sendable (Item) -> Void) {
        guard !items.isEmpty else { return }
        let queue = WorkQueue<Item, Never>(threads: min(max(1, threads), items.count), perform: body)
        for item in items { queue.submit(item) }
        queue.finish()
    }
}
