import KeelFormats

/// How one package's store path is made, known before anything is built.
public struct PackagePlan: Sendable {
    /// The package's name.
    public let name: String
    /// Its store path (the output it stands for).
    public let path: StorePath
    /// How to make it.
    public let recipe: Recipe

    /// The ways a package's path is made.
    public enum Recipe: Sendable {
        /// Add the tree at `directory` (ignore files applied) as a source path.
        case source(directory: String)
        /// Write `derivation` to the store as `drvPath` and build it.
        case derivation(DerivationPlan)
        /// Build `archive` (a `builtin:fetchurl` derivation), unpack its output and add the tree.
        case unpackedFetch(archive: DerivationPlan)
        /// Add the `.drv` file Nix made (and its inputs) to the store and build it.
        case nixDerivation(file: String, drvPath: StorePath, output: String)
        /// Fetch the pinned .debs and wheels, unpack them and assemble the environment.
        case runtime(RuntimePlan)
    }

    /// The derivation whose output this is, if any.
    public var derivationPath: StorePath? {
        switch recipe {
        case .source: nil
        case .derivation(let plan): plan.drvPath
        case .unpackedFetch(let archive): archive.drvPath
        case .nixDerivation(_, let drvPath, _): drvPath
        case .runtime(let runtime): runtime.environment.drvPath
        }
    }
}

/// A derivation Keel wrote for a package, ready to be added to the store.
public struct DerivationPlan: Sendable {
    /// The derivation.
    public let derivation: Derivation
    /// Its name (the `.drv` is `NAME.drv`).
    public let name: String
    /// Its `.drv` store path.
    public let drvPath: StorePath
    /// The `.drv`'s bytes.
    public let text: [UInt8]
    /// Its `out` path.
    public let output: StorePath
    /// Its references: input derivations and input sources.
    public let references: [StorePath]
}
