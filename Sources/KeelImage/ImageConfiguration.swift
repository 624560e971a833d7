/// An OCI image configuration: the platform, the runtime defaults and the layers' diff_ids.
public struct ImageConfiguration: Sendable, Equatable {
    /// The GOARCH name of the host this code was compiled for (`amd64`, `arm64`, …).
    public static var hostArchitecture: String {
        #if arch(x86_64)
            "amd64"
        #elseif arch(arm64)
            "arm64"
        #elseif arch(i386)
            "386"
        #elseif arch(arm)
            "arm"
        #elseif arch(riscv64)
            "riscv64"
        #elseif arch(powerpc64le)
            "ppc64le"
        #elseif arch(s390x)
            "s390x"
        #else
            "unknown"
        #endif
    }

    /// The fixed creation time reproducible images use (nixpkgs' default).
    public static let defaultCreated = "1970-01-01T00:00:01Z"

    /// The CPU architecture (GOARCH name).
    public var architecture: String
    /// The operating system.
    public var os: String
    /// The creation time (RFC 3339).
    public var created: String
    /// `User`: the user (and group) the container runs as.
    public var user: String?
    /// `Env`: `K=V` entries.
    public var environment: [String]
    /// `Entrypoint`.
    public var entrypoint: [String]?
    /// `Cmd`.
    public var command: [String]?
    /// `WorkingDir`.
    public var workingDirectory: String?
    /// `ExposedPorts`, e.g. `8080/tcp`.
    public var exposedPorts: [String]
    /// `Volumes`: paths the runtime should mount a volume on (e.g. `/data`).
    public var volumes: [String]
    /// `Labels`.
    public var labels: [String: String]
    /// `StopSignal`, e.g. `SIGTERM`.
    public var stopSignal: String?
    /// The digests of the uncompressed layer tars, base first.
    public var diffIDs: [ImageDigest]
    /// One entry per layer (plus any empty-layer entries), in order.
    public var history: [HistoryEntry]

    /// A configuration from its parts; everything but the layers has a reproducible default.
    public init(
        architecture: String = ImageConfiguration.hostArchitecture, os: String = "linux",
        created: String = ImageConfiguration.defaultCreated, user: String? = nil, environment: [String] = [],
        entrypoint: [String]? = nil, command: [String]? = nil, workingDirectory: String? = nil,
        exposedPorts: [String] = [], volumes: [String] = [], labels: [String: String] = [:], stopSignal: String? = nil,
        diffIDs: [ImageDigest] = [], history: [HistoryEntry] = []
    ) {
        self.architecture = architecture
        self.os = os
        self.created = created
        self.user = user
        self.environment = environment
        self.entrypoint = entrypoint
        self.command = command
        self.workingDirectory = workingDirectory
        self.exposedPorts = exposedPorts
        self.volumes = volumes
        self.labels = labels
        self.stopSignal = stopSignal
        self.diffIDs = diffIDs
        self.history = history
    }

    /// The OCI configuration document. Absent or empty runtime settings are left out of
    /// `config` (which is always present), and `history` is left out when empty.
    public var json: CanonicalJSON {
        var runtime: [String: CanonicalJSON] = [:]
        if let user { runtime["User"] = .string(user) }
        if !environment.isEmpty { runtime["Env"] = .array(environment.map { .string($0) }) }
        if let entrypoint { runtime["Entrypoint"] = .array(entrypoint.map { .string($0) }) }
        if let command { runtime["Cmd"] = .array(command.map { .string($0) }) }
        if let workingDirectory { runtime["WorkingDir"] = .string(workingDirectory) }
        if !exposedPorts.isEmpty { runtime["ExposedPorts"] = Self.set(exposedPorts) }
        if !volumes.isEmpty { runtime["Volumes"] = Self.set(volumes) }
        if !labels.isEmpty { runtime["Labels"] = .object(labels.mapValues { .string($0) }) }
        if let stopSignal { runtime["StopSignal"] = .string(stopSignal) }
        var members: [String: CanonicalJSON] = [
            "architecture": .string(architecture),
            "os": .string(os),
            "created": .string(created),
            "config": .object(runtime),
            "rootfs": .object([
                "type": .string("layers"),
                "diff_ids": .array(diffIDs.map { .string($0.description) }),
            ]),
        ]
        if !history.isEmpty { members["history"] = .array(history.map(\.json)) }
        return .object(members)
    }

    /// `{"a":{},"b":{}}`: how OCI writes the sets `ExposedPorts` and `Volumes`.
    private static func set(_ members: [String]) -> CanonicalJSON {
        .object(Dictionary(members.map { ($0, CanonicalJSON.object([:])) }) { first, _ in first })
    }
}
