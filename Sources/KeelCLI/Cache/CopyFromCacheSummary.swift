import KeelCache
import KeelStore

/// What `keel copy --from URL --json` prints.
struct CopyFromCacheSummary: Encodable {
    /// A path that was not copied, and why.
    struct Failure: Encodable {
        let path: String
        let reason: String
    }

    let from: String
    let fetched: [String]
    let failures: [Failure]
    let warnings: [String]
    let narBytes: UInt64
    let downloadedBytes: UInt64

    init(_ outcome: SubstitutionOutcome, from url: String, in store: LocalStore) {
        from = url
        fetched = outcome.fetched.map(store.fullPath).sorted()
        failures = outcome.failures.map { Failure(path: store.fullPath($0.path), reason: $0.reason) }
        warnings = outcome.warnings
        narBytes = outcome.narBytes
        downloadedBytes = outcome.downloadedBytes
    }
}
