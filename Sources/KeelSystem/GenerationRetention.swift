/// Which generations `keel generations delete --keep N` or `--older-than AGE` deletes.
public enum GenerationRetention {
    /// The numbers (ascending) of the generations to delete from `generations`; never the
    /// current one.
    ///
    /// - Parameters:
    ///   - keep: keep this many generations: the current one, which always counts, and the
    ///     newest others (by number) up to `keep` in all; with no current generation, the
    ///     `keep` newest. Below 1, only the current one is kept.
    ///   - olderThan: delete only generations created longer than this before `now` (strictly:
    ///     `time < now - olderThan`).
    ///   - now: the time to measure ages from, in seconds since the epoch.
    /// - Returns: the generations both given rules would delete; none when neither is given.
    ///
    /// Unlike `nix-env --delete-generations 30d`, which also keeps the newest generation older
    /// than the cutoff, `olderThan` deletes every generation older than it but the current one.
    public static func doomed(
        _ generations: [Generation], keep: Int? = nil, olderThan: Duration? = nil, now: Int64
    ) -> [Int] {
        guard keep != nil || olderThan != nil else { return [] }
        let others = generations.filter { !$0.isCurrent }.sorted { $0.number > $1.number }
        var doomed = others
        if let keep {
            let hasCurrent = generations.contains(where: \.isCurrent)
            doomed = Array(others.dropFirst(max(0, keep - (hasCurrent ? 1 : 0))))
        }
        if let olderThan {
            let cutoff = now - olderThan.components.seconds
            doomed = doomed.filter { $0.time < cutoff }
        }
        return doomed.map(\.number).sorted()
    }
}

extension Profile {
    /// The numbers (ascending) of this profile's generations that
    /// `GenerationRetention.doomed(_:keep:olderThan:now:)` would delete.
    public func retention(keep: Int? = nil, olderThan: Duration? = nil, now: Int64) throws(ProfileError) -> [Int] {
        GenerationRetention.doomed(try generations(), keep: keep, olderThan: olderThan, now: now)
    }
}
