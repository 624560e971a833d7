/// `POST /v1/switch`: what to switch to. Exactly one of `systemPath` and `generation`.
public struct SwitchRequest: Codable, Sendable, Equatable {
    /// A system store path already built and valid in the store (a new generation is made).
    public var systemPath: String?
    /// An existing generation of the profile.
    public var generation: Int?
    /// Allow switching to a generation marked failed.
    public var force: Bool
    /// The config hash and git commit to record with a new generation, when known.
    public var configHash: String?
    /// The git commit of the configuration, when known.
    public var gitCommit: String?

    /// A request.
    public init(
        systemPath: String? = nil, generation: Int? = nil, force: Bool = false, configHash: String? = nil,
        gitCommit: String? = nil
    ) {
        self.systemPath = systemPath
        self.generation = generation
        self.force = force
        self.configHash = configHash
        self.gitCommit = gitCommit
    }
}

/// What a switch or a rollback did.
public struct SwitchOutcome: Codable, Sendable, Equatable {
    /// The generation now current.
    public var generation: Int
    /// The generation current before.
    public var previousGeneration: Int?
    /// Agents started (new in this generation).
    public var started: [String]
    /// Agents stopped (gone from this generation).
    public var stopped: [String]
    /// Agents restarted (their resolved definition changed).
    public var restarted: [String]
    /// Agents left running untouched.
    public var unchanged: [String]
    /// The probation the generation is now on, if any.
    public var probationMs: Int64?
    /// The generation's system path.
    public var systemPath: String?

    /// An outcome.
    public init(
        generation: Int, previousGeneration: Int?, started: [String], stopped: [String], restarted: [String],
        unchanged: [String], probationMs: Int64?, systemPath: String? = nil
    ) {
        self.systemPath = systemPath
        self.generation = generation
        self.previousGeneration = previousGeneration
        self.started = started
        self.stopped = stopped
        self.restarted = restarted
        self.unchanged = unchanged
        self.probationMs = probationMs
    }
}
