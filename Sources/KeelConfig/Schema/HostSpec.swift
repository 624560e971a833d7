/// `[host]`: host-wide settings.
public struct HostSpec: Sendable, Equatable {
    /// The host's name; the system path is `keel-system-<name>`.
    public let name: String
    /// The platform derivations are built for (default `x86_64-linux` on x86_64).
    public let system: String
    /// Environment variables every agent gets (an agent's own `env` wins); `${packages.NAME}`
    /// expands in values.
    public let environment: [(key: String, value: ConfigString)]
    /// The size at which an agent's log file is rotated.
    public let logMaxSize: ByteSize
    /// How many rotated log files are kept per agent.
    public let logFiles: Int
    /// Binary caches asked, in order, for a path before it is built: `file:///DIR`,
    /// `http://…` or `https://…`.
    public let substituters: [String]
    /// The public keys (`NAME:BASE64`) whose signatures make a cache's narinfo trusted.
    public let trustedPublicKeys: [String]

    /// Whether `name` is a valid host name: letters, digits, `-`, `_` and `.`, 1 to 63 of them,
    /// not starting with `.` or `-`.
    public static func isValidName(_ name: String) -> Bool { HostDecoder.isValidHostName(name) }

    /// Whether the two are equal, field by field (tuples keep the synthesised conformance out).
    public static func == (lhs: HostSpec, rhs: HostSpec) -> Bool {
        lhs.name == rhs.name && lhs.system == rhs.system && lhs.environment.map(\.key) == rhs.environment.map(\.key)
            && lhs.environment.map(\.value) == rhs.environment.map(\.value) && lhs.logMaxSize == rhs.logMaxSize
            && lhs.logFiles == rhs.logFiles && lhs.substituters == rhs.substituters
            && lhs.trustedPublicKeys == rhs.trustedPublicKeys
    }
}

/// `[safeswitch]`: when a new generation is judged bad and rolled back by itself.
public struct SafeSwitchSpec: Sendable, Equatable {
    /// How long a new generation is watched before it counts as good.
    public let probation: ConfigDuration
    /// This many exits of one agent ...
    public let crashLoopExits: Int
    /// ... within this long is a crash loop.
    public let crashLoopWithin: ConfigDuration
    /// Consecutive failed health checks of one agent that fail the generation.
    public let unhealthyChecks: Int
    /// How long every agent has to become ready after a switch.
    public let readyTimeout: ConfigDuration

    /// The defaults: 30s probation, 3 exits within 30s, 3 failed checks, 60s to get ready.
    public static let defaults = SafeSwitchSpec(
        probation: ConfigDuration(milliseconds: 30_000), crashLoopExits: 3,
        crashLoopWithin: ConfigDuration(milliseconds: 30_000), unhealthyChecks: 3,
        readyTimeout: ConfigDuration(milliseconds: 60_000))
}

/// A whole keel.toml, validated.
public struct HostConfiguration: Sendable, Equatable {
    /// The file as the user named it.
    public let file: String
    /// The directory relative paths are resolved against (keel.toml's, absolute).
    public let directory: String
    /// The file's bytes' SHA-256 in SRI form: the generation records it.
    public let contentHash: String
    /// `[host]`.
    public let host: HostSpec
    /// `[packages.*]`, by name.
    public let packages: [PackageSpec]
    /// `[agents.*]`, by name.
    public let agents: [AgentSpec]
    /// `[safeswitch]`.
    public let safeSwitch: SafeSwitchSpec

    /// The package called `name`.
    public func package(_ name: String) -> PackageSpec? { packages.first { $0.name == name } }
}
