import KeelFormats

/// Fetches store paths from elsewhere (binary caches) instead of building them.
///
/// The builder asks before building a derivation whose outputs are missing; an implementation
/// makes what it can valid (each path with its closure, verified) and reports failures its own
/// way. The builder checks validity again afterwards and builds what is still missing.
public protocol PathSubstitution: Sendable {
    /// Tries to make `paths`, with their closures, valid in the store.
    func substitute(_ paths: [StorePath])
}
