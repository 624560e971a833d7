import KeelAPI
import KeelTesting
import Testing

@Suite("GET /v1/events?follow=1 streams events as they are recorded", .timeLimit(.minutes(5)), .ownThreads)
struct DaemonAPIEventStreamTests {
    @Test("events in memory after `after` come first, then those published after connecting")
    func followDeliversNewEvents() async throws {
        let daemon = FakeDaemon()
        await daemon.publish("daemon.start", subject: "daemon")
        await daemon.publish("agent.start", subject: "web")
        let harness = try await APIHarness.start(daemon: daemon)
        let received = try await harness.withClient { client in
            let stream = try await client.followEvents(after: 1)
            var iterator = stream.makeAsyncIterator()
            var received: [DaemonEvent] = []
            received.append(try #require(try await iterator.next()))
            await daemon.publish("agent.exit", subject: "web", details: ["code": "1"])
            received.append(try #require(try await iterator.next()))
            await daemon.publish("agent.restart", subject: "web")
            received.append(try #require(try await iterator.next()))
            return received
        }
        #expect(received.map(\.sequence) == [2, 3, 4])
        #expect(received.map(\.kind) == ["agent.start", "agent.exit", "agent.restart"])
        #expect(received[1].details == ["code": "1"])
        #expect(await daemon.calls == [.events(after: 1)])
    }

    @Test("the daemon's graceful shutdown ends a follow stream")
    func shutdownEndsStream() async throws {
        let harness = try await APIHarness.start()
        let client = DaemonClient(paths: harness.paths)
        do {
            let stream = try await client.followEvents()
            var iterator = stream.makeAsyncIterator()
            try await harness.stop()
            #expect(try await iterator.next() == nil)
        } catch {
            try? await harness.stop()
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    @Test("when the client goes away, the daemon's subscription ends without waiting for an event")
    func clientGoneEndsSubscription() async throws {
        let daemon = FakeDaemon()
        try await APIHarness.serving(daemon: daemon) { harness in
            let client = DaemonClient(paths: harness.paths)
            let stream = try await client.followEvents()
            _ = stream
            #expect(await daemon.subscriberCount == 1)
            await client.shutdown()
            var unsubscriptions = daemon.unsubscriptions.makeAsyncIterator()
            #expect(await unsubscriptions.next() != nil)
            #expect(await daemon.subscriberCount == 0)
        }
    }
}
