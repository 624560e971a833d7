extension Generation {
    /// The generation a rollback from generation `number` goes to: among `generations`
    /// numbered below `number`, the newest whose status is `good`; when none is `good`, the
    /// newest whose status is `pending` (not judged: made before SafeSwitch judged
    /// generations, by `nix-env`, or interrupted during probation). A `failed` generation is
    /// never chosen. Nil when there is no such generation.
    ///
    /// A known-good generation is preferred to a newer unjudged one because a rollback must
    /// land on a system that works.
    public static func previousGood(in generations: [Generation], before number: Int) -> Generation? {
        let older = generations.filter { $0.number < number }.sorted { $0.number > $1.number }
        return older.first { $0.status == .good } ?? older.first { $0.status == .pending }
    }
}

extension Profile {
    /// The generation a rollback from generation `number` (usually the current one) goes to;
    /// see `Generation.previousGood(in:before:)`.
    public func previousGood(before number: Int) throws(ProfileError) -> Generation? {
        Generation.previousGood(in: try generations(), before: number)
    }
}
