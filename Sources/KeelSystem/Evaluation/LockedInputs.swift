import KeelConfig

/// The hashes of a configuration's inputs that are not content of its repository, as keel.lock
/// pins them and as they were checked against the inputs themselves.
public struct LockedInputs: Sendable, Equatable {
    /// A fetch's file hash and, for `unpack = true`, the unpacked tree's NAR hash (SRI).
    public var fetches: [String: (hash: String, narHash: String?)]
    /// A Nix `.drv` file's SHA-256 (SRI), by package name.
    public var derivationFiles: [String: String]
    /// Host paths' NAR SHA-256 (SRI).
    public var hostPaths: [String: String]
    /// Runtime packages' pins, by package name.
    public var runtimes: [String: RuntimeLock]

    /// No inputs.
    public init() {
        fetches = [:]
        derivationFiles = [:]
        hostPaths = [:]
        runtimes = [:]
    }

    /// Whether the two are equal, field by field (tuples keep the synthesised conformance out).
    public static func == (lhs: LockedInputs, rhs: LockedInputs) -> Bool {
        lhs.derivationFiles == rhs.derivationFiles && lhs.hostPaths == rhs.hostPaths && lhs.runtimes == rhs.runtimes
            && lhs.fetches.mapValues { [$0.hash, $0.narHash ?? ""] }
                == rhs.fetches.mapValues { [$0.hash, $0.narHash ?? ""] }
    }
}
