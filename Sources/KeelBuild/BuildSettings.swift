import Foundation

/// How builds run: parallelism, limits, extra sandbox paths and what is printed.
public struct BuildSettings: Sendable {
    /// A host path exposed inside every sandbox, as Nix's `sandbox-paths` (`TARGET=SOURCE`).
    public struct SandboxPath: Sendable, Equatable {
        /// Where it appears inside.
        public var target: String
        /// The host path.
        public var source: String

        /// Parses `TARGET=SOURCE` or `PATH` (the same path inside and out).
        public init(parsing text: String) throws(BuildError) {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            target = String(parts[0])
            source = parts.count == 2 ? String(parts[1]) : target
            guard target.hasPrefix("/"), source.hasPrefix("/") else {
                throw BuildError(.badInput, "sandbox path '\(text)': both sides must be absolute paths")
            }
        }
    }

    /// Builds run at once (`-j`).
    public var jobs: Int = 1
    /// `NIX_BUILD_CORES` for each builder.
    public var cores: Int = ProcessInfo.processInfo.activeProcessorCount
    /// A builder running longer than this is killed (nil: no limit).
    public var timeout: Duration?
    /// A builder printing nothing for this long is killed (nil: no limit).
    public var maxSilentTime: Duration?
    /// Host paths exposed in every sandbox.
    public var sandboxPaths: [SandboxPath] = []
    /// How many of a failed builder's last log lines the error shows.
    public var failureLogLines: Int = 25

    /// Asked for a derivation's missing outputs before it is built (nil: always build).
    public var substitution: (any PathSubstitution)?
    /// Default settings: one job, no time limits, no extra paths.
    public init() {}
}
