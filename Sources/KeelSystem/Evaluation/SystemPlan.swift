import KeelFormats

/// A whole generation, evaluated: every package's plan in dependency order, the manifest, and
/// the system path that holds it — all known before anything is built.
public struct SystemPlan: Sendable {
    /// The packages, each after the packages it is built from.
    public let packages: [PackagePlan]
    /// The manifest.
    public let manifest: SystemManifest
    /// The system path: `keel-system-<host>`, holding manifest.json and a link per package.
    public let systemPath: StorePath
    /// The system path's NAR.
    public let systemNAR: [UInt8]
    /// The system path's references: every package's path.
    public let references: [StorePath]
}
