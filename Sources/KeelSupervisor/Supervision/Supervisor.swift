import AsyncHTTPClient
import Foundation
import KeelFormats
import KeelLinux
import KeelSystem

/// Runs a generation's agents: starts each once the agents it depends on are ready, restarts
/// it by its policy with backoff, watches its readiness (notify protocol, health checks), its
/// heartbeats and its health, stops it and its whole process tree, and reports every step as a
/// `SupervisorEvent`.
///
/// Everything is event-driven: an agent's exit arrives from its pidfd, notify messages from
/// its socket, health results from its monitor; timers (backoff, ready timeout, watchdog) are
/// scheduled on `clock` only while they matter, so nothing wakes up while agents just run.
public actor Supervisor<C: Clock> where C.Duration == Duration {
    /// Receives each event, in order, on the supervisor's executor: it must not block.
    public typealias EventSink = @Sendable (SupervisorEvent) -> Void

    /// Where the agents' files live.
    public let paths: SupervisorPaths
    let clock: C
    let sink: EventSink
    /// The size at which an agent's log is rotated: the activated manifest's `log_max_size`.
    var logMaxSize: Int
    /// How many rotated logs are kept: the activated manifest's `log_files`.
    var logFiles: Int
    var records: [String: AgentRecord<C.Instant>] = [:]
    /// The client HTTP and TCP health checks share, once one is needed.
    var httpClient: HTTPClient?
    /// The cgroups this host offers.
    let cgroupSupport: CgroupSupport
    /// Makes agents' cgroup names unique to this root.
    let cgroupScope: String
    /// The closure (in the store) of a strict agent's references.
    let closure: @Sendable ([String]) -> [String]
    /// The manifest last activated.
    public internal(set) var manifest: SystemManifest?

    /// A supervisor with no agents.
    ///
    /// - Parameters:
    ///   - paths: where state, logs and runtime files go.
    ///   - clock: times backoffs, ready timeouts and watchdogs.
    ///   - logMaxSize: the size at which an agent's log is rotated (the manifest's host setting
    ///     replaces it at activation).
    ///   - logFiles: how many rotated logs are kept.
    ///   - cgroups: the cgroups to put agents in (`CgroupSupport.detect()` by default).
    ///   - closure: the closure in the store of a strict agent's references (what its sandbox
    ///     shows); by default the references alone.
    ///   - sink: receives every event.
    public init(
        paths: SupervisorPaths, clock: C, logMaxSize: Int = 10 << 20, logFiles: Int = 5,
        cgroups: CgroupSupport = .detect(), closure: @escaping @Sendable ([String]) -> [String] = { $0 },
        sink: @escaping EventSink
    ) {
        self.paths = paths
        self.cgroupSupport = cgroups
        self.closure = closure
        // FNV-1a of the root: a short name, stable across the daemon's lives.
        var hash: UInt32 = 2_166_136_261
        for byte in paths.root.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let text = String(hash, radix: 16)
        self.cgroupScope = "r" + String(repeating: "0", count: 8 - text.count) + text
        self.clock = clock
        self.logMaxSize = logMaxSize
        self.logFiles = logFiles
        self.sink = sink
    }

    /// Every agent's state, by name.
    public func snapshots() -> [AgentSnapshot] {
        records.keys.sorted().compactMap { records[$0]?.snapshot }
    }

    /// One agent's state.
    public func snapshot(of name: String) -> AgentSnapshot? { records[name]?.snapshot }

    /// Whether `name` is an agent of the activated generation.
    public func has(_ name: String) -> Bool { records[name] != nil }

    /// Reports an event.
    func emit(_ kind: String, _ subject: String, _ details: [String: NixJSON] = [:]) {
        sink(SupervisorEvent(kind: kind, subject: subject, details: details))
    }

    /// Milliseconds since the Unix epoch.
    static var wallMilliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
