import Foundation

/// `manifest.json` of a system path: everything a generation runs, fully resolved — argv, env,
/// PATH, packages, limits, checks, isolation, host path hashes, the SafeSwitch settings. The
/// supervisor reads only this; durations are milliseconds and sizes bytes.
public struct SystemManifest: Codable, Sendable, Equatable {
    /// The manifest format this code writes.
    public static let currentVersion = 1

    /// The format version.
    public var version: Int
    /// Host-wide settings.
    public var host: Host
    /// Every package, by name.
    public var packages: [String: Package]
    /// Every agent, by name.
    public var agents: [String: Agent]
    /// When a new generation is rolled back by itself.
    public var safeSwitch: SafeSwitch

    enum CodingKeys: String, CodingKey {
        case version, host, packages, agents
        case safeSwitch = "safeswitch"
    }

    /// `[host]`.
    public struct Host: Codable, Sendable, Equatable {
        /// The host's name.
        public var name: String
        /// The build platform.
        public var system: String
        /// Rotate an agent's log at this size, in bytes.
        public var logMaxSize: UInt64
        /// Keep this many rotated logs per agent.
        public var logFiles: Int

        enum CodingKeys: String, CodingKey {
            case name, system
            case logMaxSize = "log_max_size"
            case logFiles = "log_files"
        }
    }

    /// One package.
    public struct Package: Codable, Sendable, Equatable {
        /// Its store path.
        public var path: String
        /// `src`, `derivation`, `fetch` or `drv`.
        public var kind: String
        /// The derivation that builds it, for derivations, fetches and Nix derivations.
        public var drv: String?
        /// The URL, for fetches.
        public var url: String?
    }

    /// One agent, resolved.
    public struct Agent: Codable, Sendable, Equatable {
        /// The argv, `${packages.…}` expanded.
        public var command: [String]
        /// The whole environment it starts with (host env, its own env, PATH).
        public var env: [String: String]
        /// The packages on PATH, in order.
        public var packages: [String]
        /// The store paths the agent uses (its packages and every `${packages.…}`): its closure
        /// is what a strict agent sees.
        public var references: [String]
        /// Host paths it may use, with their NAR hashes.
        public var hostPaths: [String: String]
        /// Restart policy.
        public var restart: Restart
        /// Health check.
        public var health: Health?
        /// `started`, `health` or `notify`.
        public var ready: String
        /// How long it may take to become ready.
        public var readyTimeoutMs: Int64
        /// sd_notify watchdog interval.
        public var watchdogMs: Int64?
        /// Resource limits.
        public var limits: Limits
        /// `none` or `strict`.
        public var isolation: String
        /// Agents started before it.
        public var dependsOn: [String]
        /// SIGTERM to SIGKILL.
        public var stopTimeoutMs: Int64
        /// The user to run as.
        public var user: String?
        /// The working directory (default: its state directory).
        public var workingDir: String?
        /// `keep` or `ephemeral`.
        public var state: String
        /// The runtime environment it runs in (a store path), seen as / in an FHS view; nil: the
        /// host's file system (or the strict sandbox's).
        public var runtime: String? = nil

        enum CodingKeys: String, CodingKey {
            case command, env, packages, references, restart, health, ready, limits, isolation, user, state, runtime
            case hostPaths = "host_paths"
            case readyTimeoutMs = "ready_timeout_ms"
            case watchdogMs = "watchdog_ms"
            case dependsOn = "depends_on"
            case stopTimeoutMs = "stop_timeout_ms"
            case workingDir = "working_dir"
        }
    }

    /// Restart policy.
    public struct Restart: Codable, Sendable, Equatable {
        /// `always`, `on-failure` or `never`.
        public var policy: String
        /// First delay.
        public var initialBackoffMs: Int64
        /// Longest delay.
        public var maxBackoffMs: Int64

        enum CodingKeys: String, CodingKey {
            case policy
            case initialBackoffMs = "initial_backoff_ms"
            case maxBackoffMs = "max_backoff_ms"
        }
    }

    /// A health check: exactly one of `http`, `tcp`, `exec`.
    public struct Health: Codable, Sendable, Equatable {
        /// URL for an HTTP GET.
        public var http: String?
        /// HOST:PORT for a TCP connect.
        public var tcp: String?
        /// argv of a program.
        public var exec: [String]?
        /// Time between checks.
        public var intervalMs: Int64
        /// Time one check may take.
        public var timeoutMs: Int64
        /// Failures in a row that make the agent unhealthy.
        public var failureThreshold: Int

        enum CodingKeys: String, CodingKey {
            case http, tcp, exec
            case intervalMs = "interval_ms"
            case timeoutMs = "timeout_ms"
            case failureThreshold = "failure_threshold"
        }
    }

    /// Resource limits.
    public struct Limits: Codable, Sendable, Equatable {
        /// Memory, in bytes.
        public var memory: UInt64?
        /// Processes and threads.
        public var pids: Int?
        /// Thousandths of a CPU.
        public var cpuMillis: Int?
        /// Open file descriptors.
        public var openFiles: Int?

        enum CodingKeys: String, CodingKey {
            case memory, pids
            case cpuMillis = "cpu_millis"
            case openFiles = "open_files"
        }
    }

    /// SafeSwitch settings.
    public struct SafeSwitch: Codable, Sendable, Equatable {
        /// Probation after a switch.
        public var probationMs: Int64
        /// Exits that make a crash loop ...
        public var crashLoopExits: Int
        /// ... within this long.
        public var crashLoopWithinMs: Int64
        /// Failed health checks in a row that fail the generation.
        public var unhealthyChecks: Int
        /// Time every agent has to become ready.
        public var readyTimeoutMs: Int64

        enum CodingKeys: String, CodingKey {
            case probationMs = "probation_ms"
            case crashLoopExits = "crash_loop_exits"
            case crashLoopWithinMs = "crash_loop_within_ms"
            case unhealthyChecks = "unhealthy_checks"
            case readyTimeoutMs = "ready_timeout_ms"
        }
    }

    /// The canonical bytes: compact JSON with sorted keys and unescaped slashes, and a final
    /// newline. The same manifest always gives the same bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// Reads a manifest, refusing a version this code does not know.
    public static func decode(_ bytes: [UInt8]) throws(EvaluationError) -> SystemManifest {
        let manifest: SystemManifest
        do { manifest = try JSONDecoder().decode(SystemManifest.self, from: Data(bytes)) } catch {
            throw EvaluationError("manifest.json is not a valid manifest: \(error)")
        }
        guard manifest.version == currentVersion else {
            throw EvaluationError("manifest.json has version \(manifest.version); this keel reads \(currentVersion)")
        }
        return manifest
    }
}
