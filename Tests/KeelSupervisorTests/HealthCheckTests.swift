import AsyncHTTPClient
import Foundation
import KeelSupervisor
import KeelSystem
import KeelTesting
import Testing

/// An agent's declared `health` turned into a check and a probe.
@Suite("HealthCheck", .ownThreads)
struct HealthCheckTests {
    private func health(
        http: String? = nil, tcp: String? = nil, exec: [String]? = nil, timeoutMs: Int = 2000, intervalMs: Int = 1000
    ) throws -> SystemManifest.Health {
        var fields: [String: Any] = ["interval_ms": intervalMs, "timeout_ms": timeoutMs, "failure_threshold": 3]
        fields["http"] = http
        fields["tcp"] = tcp
        fields["exec"] = exec
        return try JSONDecoder().decode(
            SystemManifest.Health.self, from: try JSONSerialization.data(withJSONObject: fields))
    }

    @Test func eachKindIsRead() throws {
        #expect(
            try HealthCheck(health(http: "http://127.0.0.1:8080/health")) == .http(url: "http://127.0.0.1:8080/health"))
        #expect(try HealthCheck(health(tcp: "example.org:80")) == .tcp(host: "example.org", port: 80))
        #expect(try HealthCheck(health(tcp: "[::1]:9000")) == .tcp(host: "::1", port: 9000))
        #expect(try HealthCheck(health(exec: ["/bin/check", "-q"])) == .exec(arguments: ["/bin/check", "-q"]))
    }

    @Test func malformedChecksAreRefused() throws {
        for bad in [
            try health(), try health(http: "http://x/", tcp: "x:1"), try health(http: "ftp://x/"),
            try health(tcp: "localhost"), try health(tcp: "::1:80"), try health(tcp: "host:70000"),
            try health(tcp: ":80"), try health(exec: []), try health(exec: ["check"]),
        ] {
            #expect(throws: SupervisorError.self) { try HealthCheck(bad) }
        }
        let error = try #require(throws: SupervisorError.self) { try HealthCheck(try health(exec: ["curl", "-f"])) }
        #expect(error.description == "health check: exec needs an absolute path to a program (found 'curl')")
    }

    @Test func probeTakesTheTimeoutAndRefusesNone() async throws {
        try await withHealthClient { client in
            let probe = try HealthProbe(
                try health(exec: ["/bin/true"], timeoutMs: 1500), httpClient: client, environment: ["A": "b"],
                workingDirectory: "/tmp")
            #expect(probe.check == .exec(arguments: ["/bin/true"]))
            #expect(probe.timeout == .milliseconds(1500))
            #expect(probe.environment == ["A": "b"])
            #expect(probe.workingDirectory == "/tmp")
            #expect(throws: SupervisorError.self) {
                try HealthProbe(try health(exec: ["/bin/true"], timeoutMs: 0), httpClient: client)
            }
        }
    }

    @Test func monitorTakesTheIntervalAndThreshold() async throws {
        try await withHealthClient { client in
            let declared = try health(exec: ["/bin/true"], intervalMs: 2500)
            let probe = try HealthProbe(declared, httpClient: client)
            let monitor = try HealthMonitor(declared, probe: probe, clock: ContinuousClock(), handler: { _ in })
            #expect(monitor.interval == .milliseconds(2500))
            #expect(monitor.failureThreshold == 3)
            #expect(!monitor.isRunning)
            #expect(throws: SupervisorError.self) {
                try HealthMonitor(
                    try health(exec: ["/bin/true"], intervalMs: 0), probe: probe, clock: ContinuousClock(),
                    handler: { _ in })
            }
        }
    }
}
