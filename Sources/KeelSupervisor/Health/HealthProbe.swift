import AsyncHTTPClient
import KeelSystem

/// One health check with its time limit, run as often as asked: `run()` gives a verdict and
/// never throws.
///
/// HTTP and TCP checks use `httpClient` (one client shared by every probe, from
/// `HealthProbe.makeHTTPClient()`; its owner shuts it down once no probe runs) and are timed by
/// NIO. Exec checks run the program natively in a session of its own, with `environment` and in
/// `workingDirectory`; when `timeout` has passed on `clock` (or the check is cancelled) its whole
/// process group is killed, and whatever it left in the group is killed when it ends. The program
/// is always reaped before `run()` returns.
public struct HealthProbe: Sendable {
    /// What is checked.
    public let check: HealthCheck
    /// How long one check may take.
    public let timeout: Duration
    /// The whole environment of an exec check's program.
    public let environment: [String: String]
    /// Where an exec check's program starts.
    public let workingDirectory: String
    private let httpClient: HTTPClient
    private let clock: any Clock<Duration>

    /// A probe doing `check` within `timeout`.
    ///
    /// - Parameters:
    ///   - check: what to check.
    ///   - timeout: how long one check may take.
    ///   - httpClient: the shared client HTTP and TCP checks use (its event loop group for TCP).
    ///   - environment: the whole environment of an exec check's program (typically the agent's).
    ///   - workingDirectory: where an exec check's program starts (must exist).
    ///   - clock: what times an exec check's time limit.
    public init(
        _ check: HealthCheck, timeout: Duration, httpClient: HTTPClient, environment: [String: String] = [:],
        workingDirectory: String = "/", clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.check = check
        self.timeout = timeout
        self.httpClient = httpClient
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.clock = clock
    }

    /// The probe an agent's `health` declares, within its `timeout_ms`.
    ///
    /// - Throws: `SupervisorError` when `health` is not one valid check (see `HealthCheck`) or
    ///   its timeout is not positive.
    public init(
        _ health: SystemManifest.Health, httpClient: HTTPClient, environment: [String: String] = [:],
        workingDirectory: String = "/", clock: any Clock<Duration> = ContinuousClock()
    ) throws(SupervisorError) {
        guard health.timeoutMs > 0 else {
            throw SupervisorError("health check: timeout must be positive (found \(health.timeoutMs) ms)")
        }
        self.init(
            try HealthCheck(health), timeout: .milliseconds(health.timeoutMs), httpClient: httpClient,
            environment: environment, workingDirectory: workingDirectory, clock: clock)
    }

    /// A client for probes: redirects not followed, no connection retried, on NIO's shared event
    /// loop group. Its owner calls `shutdown()` on it once no probe runs any more.
    public static func makeHTTPClient() -> HTTPClient { HealthHTTPCheck.makeClient() }

    /// Runs the check once.
    ///
    /// - Returns: `.passed`, or `.failed` with a one-line reason. A cancelled check fails as
    ///   `cancelled` (an exec check's program killed and reaped first).
    public func run() async -> HealthVerdict {
        switch check {
        case .http(let url):
            await HealthHTTPCheck.run(url: url, timeout: timeout, client: httpClient)
        case .tcp(let host, let port):
            await HealthTCPCheck.run(host: host, port: port, timeout: timeout, group: httpClient.eventLoopGroup)
        case .exec(let arguments):
            await HealthExecCheck.run(
                arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                timeout: timeout, clock: clock)
        }
    }
}
