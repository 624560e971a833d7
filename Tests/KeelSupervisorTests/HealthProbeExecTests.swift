import AsyncHTTPClient
import KeelLinux
import KeelSupervisor
import KeelTesting
import Testing

/// Exec checks: real programs, their exit statuses and output, and their process groups killed
/// at the time limit or when they end.
@Suite("HealthProbe exec", .ownThreads)
struct HealthProbeExecTests {
    /// Long enough never to be reached by a check that should end otherwise.
    let generous = Duration.seconds(20)

    private func probe(
        _ arguments: [String], client: HTTPClient, environment: [String: String] = [:],
        timeout: Duration = .seconds(20), clock: any Clock<Duration> = ContinuousClock()
    ) -> HealthProbe {
        HealthProbe(
            .exec(arguments: arguments), timeout: timeout, httpClient: client, environment: environment,
            clock: clock)
    }

    @Test func exitStatusDecides() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                // Each verdict is named in the failure: one run under CI load once got another.
                let passing = await probe(["/bin/true"], client: client).run()
                #expect(passing == .passed, "\(passing)")
                let failing = await probe(["/bin/false"], client: client).run()
                #expect(failing == .failed("exit 1"), "\(failing)")
                let noisy = ["/bin/sh", "-c", "echo first; echo '  boom  ' >&2; echo; exit 3"]
                let noisyVerdict = await probe(noisy, client: client).run()
                #expect(noisyVerdict == .failed("exit 3: boom"), "\(noisyVerdict)")
                let killed = ["/bin/sh", "-c", "kill -9 $$"]
                let killedVerdict = await probe(killed, client: client).run()
                #expect(killedVerdict == .failed("killed by signal 9"), "\(killedVerdict)")
            }
        }
    }

    @Test func programGetsTheGivenEnvironmentOnly() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let script = ["/bin/sh", "-c", "test \"$GREETING\" = hello && test -z \"$HOME\""]
                #expect(await probe(script, client: client, environment: ["GREETING": "hello"]).run() == .passed)
                #expect(
                    await probe(script, client: client, environment: ["GREETING": "bye"]).run() == .failed("exit 1"))
            }
        }
    }

    @Test func missingProgramFailsWithTheReason() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let missing = "/nonexistent/keel-health-check"
                #expect(
                    await probe([missing], client: client).run()
                        == .failed("cannot run \(missing): No such file or directory"))
            }
        }
    }

    @Test func hangingProgramIsKilledWithItsGroupAtTheTimeLimit() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let directory = try TemporaryDirectory(prefix: "keel-health-exec")
                defer { directory.remove() }
                let fifo = directory.appending("started")
                #expect(try ProcessRunner.run("/usr/bin/mkfifo", [fifo]).status == 0)
                let marker = healthTestMarker()
                let clock = ManualClock()
                // A child in the background, then the program itself hangs.
                let script = "/bin/sleep 86399 & echo $! > \(fifo); exec /bin/sleep 86398"
                let hanging = probe(
                    ["/bin/sh", "-c", script], client: client, environment: [healthTestVariable: marker],
                    timeout: .seconds(2), clock: clock)
                let verdict = Task { await hanging.run() }
                let child = try #require(Int32((await readHealthFifo(fifo) ?? "").filter(\.isNumber)))
                #expect(try livingHealthTestProcesses(marked: marker).count == 2)
                #expect(await clock.waitForSleeper(until: .at(.seconds(2))))
                clock.advance(by: .seconds(2))
                #expect(await verdict.value == .failed("timed out after 2 s"))
                #expect(try livingHealthTestProcesses(marked: marker) == [])
                #expect(ProcessTree.entry(of: child).map(\.isZombie) ?? true)
            }
        }
    }

    @Test func cancelledCheckKillsItsProgram() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let directory = try TemporaryDirectory(prefix: "keel-health-exec")
                defer { directory.remove() }
                let fifo = directory.appending("started")
                #expect(try ProcessRunner.run("/usr/bin/mkfifo", [fifo]).status == 0)
                let marker = healthTestMarker()
                let script = "echo started > \(fifo); exec /bin/sleep 86397"
                let hanging = probe(
                    ["/bin/sh", "-c", script], client: client, environment: [healthTestVariable: marker],
                    clock: ManualClock())
                let verdict = Task { await hanging.run() }
                #expect(await readHealthFifo(fifo) == "started\n")
                verdict.cancel()
                #expect(await verdict.value == .failed("cancelled"))
                #expect(try livingHealthTestProcesses(marked: marker) == [])
            }
        }
    }

    @Test func whatAPassingProgramLeftBehindIsKilled() async throws {
        try await withHealthWatchdog {
            try await withHealthClient { client in
                let marker = healthTestMarker()
                let leaving = probe(
                    ["/bin/sh", "-c", "/bin/sleep 86396 & exit 0"], client: client,
                    environment: [healthTestVariable: marker])
                #expect(await leaving.run() == .passed)
                let left = try livingHealthTestProcesses(marked: marker)
                #expect(left == [])
            }
        }
    }
}
