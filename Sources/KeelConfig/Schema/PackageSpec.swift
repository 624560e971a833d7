/// One `[packages.NAME]` table: how the package's store path is made.
public struct PackageSpec: Sendable, Equatable {
    /// The package's name (the table's key), also its store path name.
    public let name: String
    /// Where the table is, for messages about the package as a whole.
    public let position: SourcePosition
    /// What kind of package it is.
    public let kind: Kind

    /// The kinds of package, one per table.
    public enum Kind: Sendable, Equatable {
        /// `src = "./dir"`: a local tree added as a source path, ignore files applied.
        case source(SourceSpec)
        /// `builder`, `args`, `env`, `inputs`, `system`: a derivation Keel writes and builds.
        case derivation(DerivationSpec)
        /// `url`, `hash`, `unpack`: a fixed-output fetch.
        case fetch(FetchSpec)
        /// `drv = "….drv"`: a derivation made by Nix, built by Keel's builder.
        case nixDerivation(NixDerivationSpec)
        /// `debian = [...]`: a runtime of Debian packages, resolved against the host's apt lists.
        case debian(DebianRuntimeSpec)
        /// `python = "PKG"` with `wheels` or `requirements`: PyPI wheels over a Debian runtime.
        case python(PythonRuntimeSpec)
    }

    /// The names of the packages this one is built from (`inputs` of a derivation, the
    /// interpreter package of a Python runtime).
    public var inputs: [ConfigString] {
        switch kind {
        case .derivation(let derivation): derivation.inputs
        case .python(let python): [python.interpreter]
        default: []
        }
    }

    /// Whether it is a runtime (Debian or Python): an environment agents run in, in an FHS view.
    public var isRuntime: Bool {
        switch kind {
        case .debian, .python: true
        default: false
        }
    }

    /// The kind as keel.toml and messages name it.
    public var kindName: String {
        switch kind {
        case .source: "src"
        case .derivation: "derivation"
        case .fetch: "fetch"
        case .nixDerivation: "drv"
        case .debian: "debian"
        case .python: "python"
        }
    }
}

/// A string from keel.toml with the position of its value, for messages about it.
public struct ConfigString: Sendable, Hashable {
    /// The text.
    public let value: String
    /// Where the value starts (its opening quote).
    public let position: SourcePosition

    /// A string `value` written at `position`.
    public init(_ value: String, at position: SourcePosition) {
        self.value = value
        self.position = position
    }
}

/// `src = "./dir"`.
public struct SourceSpec: Sendable, Equatable {
    /// The directory as written (relative to keel.toml's directory, or absolute).
    public let path: ConfigString
    /// The directory, absolute, symlinks resolved (a src naming a symlink is its target's tree).
    public let resolvedPath: String
}

/// A derivation declared in keel.toml.
public struct DerivationSpec: Sendable, Equatable {
    /// The program that builds the output; `${packages.NAME}` expands.
    public let builder: ConfigString
    /// The builder's arguments; `${packages.NAME}` expands.
    public let arguments: [ConfigString]
    /// Extra environment variables for the builder; `${packages.NAME}` expands in values.
    public let environment: [(key: String, value: ConfigString)]
    /// Packages the builder uses, each an input of the derivation.
    public let inputs: [ConfigString]
    /// The platform (default: the host's, `[host] system`).
    public let system: String?

    /// Whether the two are equal, field by field (tuples keep the synthesised conformance out).
    public static func == (lhs: DerivationSpec, rhs: DerivationSpec) -> Bool {
        lhs.builder == rhs.builder && lhs.arguments == rhs.arguments && lhs.inputs == rhs.inputs
            && lhs.system == rhs.system && lhs.environment.map(\.key) == rhs.environment.map(\.key)
            && lhs.environment.map(\.value) == rhs.environment.map(\.value)
    }
}

/// A fixed-output fetch.
public struct FetchSpec: Sendable, Equatable {
    /// The URL (`http`, `https` or `file`).
    public let url: ConfigString
    /// The file's SHA-256 when keel.toml gives it (else keel.lock holds it), in SRI form.
    public let hash: String?
    /// Unpack a .tar, .tar.gz, .tar.xz or .zip into a tree (a single top directory is stripped).
    public let unpack: Bool
    /// Mark the downloaded file executable (not with `unpack`).
    public let executable: Bool

    /// Whether keel.lock also pins a NAR hash: of the unpacked tree, or of the executable file
    /// (Nix's fetchurl hashes an executable download recursively).
    public var needsNARHash: Bool { unpack || executable }
}

/// `drv = "/path/to/x.drv"`.
public struct NixDerivationSpec: Sendable, Equatable {
    /// The file as written.
    public let path: ConfigString
    /// The file, absolute.
    public let resolvedPath: String
    /// The output the package stands for (default `out`).
    public let output: String
}

/// `debian = ["python3.11-minimal", "libssl3=3.0.*", …]`.
public struct DebianRuntimeSpec: Sendable, Equatable {
    /// The packages asked for, each `NAME` or `NAME=VERSION` (VERSION may hold `*`), as written.
    public let requests: [ConfigString]
    /// `leave_out`: files and directories of its packages not unpacked, absolute paths as the
    /// runtime's view names them (validated: no empty, `.` or `..` components), as written.
    public let leaveOut: [ConfigString]

    /// Packages `requests`, leaving out `leaveOut`.
    public init(requests: [ConfigString], leaveOut: [ConfigString] = []) {
        self.requests = requests
        self.leaveOut = leaveOut
    }
}

/// `python = "PKG"` with `wheels = [...]` or `requirements = "./requirements.txt"`.
public struct PythonRuntimeSpec: Sendable, Equatable {
    /// The Debian runtime package that provides the interpreter.
    public let interpreter: ConfigString
    /// Where the requirements come from.
    public let requirements: Requirements

    /// The requirement lines, from keel.toml or from a file.
    public enum Requirements: Sendable, Equatable {
        /// `wheels = ["numpy==2.1.3", …]`.
        case wheels([ConfigString])
        /// `requirements = "./requirements.txt"`: the file as written, absolute, and its lines
        /// as pip reads them (comments and blank lines dropped), read when keel.toml was loaded.
        case file(path: ConfigString, resolvedPath: String, lines: [String])
    }

    /// The requirement lines pip resolves.
    public var lines: [String] {
        switch requirements {
        case .wheels(let wheels): wheels.map(\.value)
        case .file(_, _, let lines): lines
        }
    }
}
