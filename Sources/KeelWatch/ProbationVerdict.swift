/// How a generation's probation ended.
public enum ProbationVerdict: Sendable, Equatable {
    /// It lasted its probation without a failure: it is now the last good generation.
    case passed
    /// An agent it started or changed failed; the reason names the agent and what it did.
    case failed(reason: String)
}
