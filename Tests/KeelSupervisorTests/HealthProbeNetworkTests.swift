import AsyncHTTPClient
import KeelSupervisor
import KeelTesting
import Testing

/// HTTP and TCP checks against a real server on the loopback interface, in this process.
@Suite("HealthProbe over the network", .ownThreads)
struct HealthProbeNetworkTests {
    /// Long enough never to be reached by a check that should end otherwise.
    let generous = Duration.seconds(20)

    @Test func httpPassesOn2xxAndFailsOnOtherStatuses() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let server = try await HealthTestHTTPServer.start()
                let probe = HealthProbe(.http(url: server.url()), timeout: generous, httpClient: client)
                #expect(await probe.run() == .passed)
                server.answer(204)
                #expect(await probe.run() == .passed)
                server.answer(503)
                #expect(await probe.run() == .failed("HTTP 503"))
                server.answer(404)
                #expect(await probe.run() == .failed("HTTP 404"))
                server.answer(200)
                #expect(await probe.run() == .passed)
                await server.stop()
            }
        }
    }

    @Test func httpRedirectIsNotFollowed() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let server = try await HealthTestHTTPServer.start()
                let probe = HealthProbe(.http(url: server.url("/redirect")), timeout: generous, httpClient: client)
                #expect(await probe.run() == .failed("HTTP 302"))
                await server.stop()
            }
        }
    }

    @Test func httpWithoutAnswerTimesOut() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let server = try await HealthTestHTTPServer.start()
                let probe = HealthProbe(
                    .http(url: server.url("/hang")), timeout: .milliseconds(300), httpClient: client)
                #expect(await probe.run() == .failed("timed out after 300 ms"))
                // The client is still good for the next check.
                let next = HealthProbe(.http(url: server.url()), timeout: generous, httpClient: client)
                #expect(await next.run() == .passed)
                await server.stop()
            }
        }
    }

    @Test func httpToClosedPortIsRefused() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                try await HealthTestHTTPServer.withRefusingPort { port in
                    let probe = HealthProbe(
                        .http(url: "http://127.0.0.1:\(port)/health"), timeout: generous, httpClient: client)
                    #expect(await probe.run() == .failed("connection refused"))
                }
            }
        }
    }

    @Test func tcpPassesOnAListenerAndIsRefusedOnAClosedPort() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let server = try await HealthTestHTTPServer.start()
                let listening = HealthProbe(
                    .tcp(host: "127.0.0.1", port: server.port), timeout: generous, httpClient: client)
                #expect(await listening.run() == .passed)
                await server.stop()
                try await HealthTestHTTPServer.withRefusingPort { port in
                    let closed = HealthProbe(.tcp(host: "127.0.0.1", port: port), timeout: generous, httpClient: client)
                    #expect(await closed.run() == .failed("connection refused"))
                }
            }
        }
    }

    @Test func monitorOfAnHTTPProbeTurnsUnhealthyAtTheThresholdAndHealthyAgain() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let server = try await HealthTestHTTPServer.start()
                let clock = ManualClock()
                let interval = Duration.seconds(5)
                let (stream, continuation) = AsyncStream<HealthEvent>.makeStream()
                let monitor = HealthMonitor(
                    probe: HealthProbe(.http(url: server.url()), timeout: generous, httpClient: client),
                    interval: interval, failureThreshold: 2, clock: clock, handler: { continuation.yield($0) })
                var events = stream.makeAsyncIterator()
                monitor.start()
                #expect(await events.next() == .checked(.passed, consecutiveFailures: 0))
                #expect(await events.next() == .becameHealthy)
                server.answer(503)
                for (check, expected) in [1, 2].enumerated() {
                    #expect(await clock.waitForSleeper(until: .at(interval * (check + 1))))
                    clock.advance(by: interval)
                    #expect(await events.next() == .checked(.failed("HTTP 503"), consecutiveFailures: expected))
                }
                #expect(await events.next() == .becameUnhealthy(consecutiveFailures: 2, reason: "HTTP 503"))
                #expect(monitor.status == .unhealthy)
                server.answer(200)
                #expect(await clock.waitForSleeper(until: .at(interval * 3)))
                clock.advance(by: interval)
                #expect(await events.next() == .checked(.passed, consecutiveFailures: 0))
                #expect(await events.next() == .becameHealthy)
                monitor.stop()
                await server.stop()
            }
        }
    }
}
