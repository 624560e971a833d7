import KeelConfig
import KeelFormats
import KeelRuntime

/// How a runtime package's store paths are made, all known from keel.lock: each pinned .deb or
/// wheel is a fixed-output path (flat SHA-256 of the file), each is unpacked or installed by a
/// `builtin:` derivation over it, and the environment is a derivation over those.
public struct RuntimePlan: Sendable {
    /// A pinned file and the derivation that unpacks (a .deb) or installs (a wheel) it.
    public struct Part: Sendable {
        /// What the file is, for messages and fetching.
        public enum Source: Sendable {
            /// A .deb, fetched with `apt-get download`.
            case deb(RuntimeLock.Deb)
            /// A wheel, fetched with `pip download`.
            case wheel(RuntimeLock.Wheel)
        }

        /// The pinned file.
        public let source: Source
        /// The file's fixed-output path.
        public let file: StorePath
        /// Its SHA-256, hex (the lock's).
        public let sha256: String
        /// The derivation whose output is the unpacked or installed tree.
        public let derivation: DerivationPlan
        /// What the runtime declares is not unpacked from a .deb (nothing for a wheel).
        public let leaveOut: DebianLeaveOut

        /// `file` (`source`, hashing to `sha256`) made into `derivation`'s output, leaving out
        /// `leaveOut`.
        public init(
            source: Source, file: StorePath, sha256: String, derivation: DerivationPlan,
            leaveOut: DebianLeaveOut = .none
        ) {
            self.source = source
            self.file = file
            self.sha256 = sha256
            self.derivation = derivation
            self.leaveOut = leaveOut
        }
    }

    /// The runtime's package name.
    public let name: String
    /// The .debs, then the wheels, in the order the environment takes them.
    public let parts: [Part]
    /// The Python version ("3.11") wheels are installed for, if any.
    public let pythonVersion: String?
    /// The environment's derivation (its output is the package's path).
    public let environment: DerivationPlan

    /// The builders of the derivations a runtime uses.
    public enum Builder {
        /// Unpacks `src`, a .deb, into the merged-/usr layout.
        public static let unpackDeb = "builtin:keel-unpack-deb"
        /// Installs `src`, a wheel, as pip lays it out under a prefix.
        public static let installWheel = "builtin:keel-install-wheel"
        /// Assembles the environment from `parts`.
        public static let environment = "builtin:keel-runtime-env"
    }

    /// The interpreter path written into wheels' scripts, as the view has it.
    public static func interpreter(pythonVersion: String) -> String { "/usr/bin/python\(pythonVersion)" }
}
