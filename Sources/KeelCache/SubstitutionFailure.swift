import KeelFormats

/// Why a path asked for was not substituted.
public struct SubstitutionFailure: Sendable {
    /// The path asked for.
    public let path: StorePath
    /// The kind of failure: `.notFound` when no cache has the path or a path of its closure
    /// (build it instead), `.untrusted` when only unsigned or untrusted narinfos were found,
    /// `.badInput` when what a cache sent failed a check, `.unreachable` when a cache that
    /// might have it did not answer.
    public let code: CacheError.Code
    /// One line naming the path at fault and the caches.
    public let reason: String

    /// Makes a failure.
    public init(path: StorePath, code: CacheError.Code, reason: String) {
        self.path = path
        self.code = code
        self.reason = reason
    }
}
