import Foundation
import KeelAPI
import KeelTesting
import NIOHTTP1
import Testing

@Suite(
    "The API checks every input at its boundary: 400 with a clear message, 404 JSON", .timeLimit(.minutes(5)),
    .ownThreads)
struct DaemonAPIValidationTests {
    @Test(
        "bad requests are 400 with a message naming the fault, and reach no operation",
        arguments: [
            ("POST", "/v1/switch", "{not json", "the body is not valid JSON"),
            ("POST", "/v1/switch", nil, "the request needs a JSON body"),
            ("POST", "/v1/switch", #"{"generation": "seven"}"#, "'generation' must be an integer"),
            ("POST", "/v1/switch", #"{"systemPath": 7}"#, "'systemPath' must be a string"),
            ("POST", "/v1/switch", #"{"generation": 2, "force": "yes"}"#, "'force' must be a boolean"),
            ("POST", "/v1/switch", "{}", "give one of 'systemPath' and 'generation'"),
            ("POST", "/v1/switch", #"{"generation": 2, "systemPath": "/x"}"#, "give only one of"),
            ("POST", "/v1/switch", #"{"systemPath": "relative/path"}"#, "'systemPath' must be an absolute path"),
            ("POST", "/v1/switch", #"{"generation": 0}"#, "'generation' must be 1 or more"),
            ("POST", "/v1/agents/.hidden/start", nil, "invalid agent name '.hidden'"),
            ("POST", "/v1/agents/a%20b/stop", nil, "invalid agent name 'a b'"),
            ("GET", "/v1/events?limit=abc", nil, "'limit' must be an integer from 1 to 10000, not 'abc'"),
            ("GET", "/v1/events?limit=0", nil, "'limit' must be an integer from 1 to 10000"),
            ("GET", "/v1/events?after=-1", nil, "'after' must be an integer"),
            ("GET", "/v1/events?follow=maybe", nil, "'follow' must be 1, true, 0 or false"),
            ("GET", "/v1/events?follow=1&limit=3", nil, "'limit' does not apply with follow=1"),
            ("GET", "/v1/events?colour=red", nil, "unknown query parameter 'colour'"),
            ("GET", "/v1/events?limit=1&limit=2", nil, "query parameter 'limit' given twice"),
            ("GET", "/v1/agents/web/logs?lines=100001", nil, "'lines' must be an integer from 1 to 10000"),
        ] as [(String, String, String?, String)])
    func badRequests(method: String, uri: String, body: String?, message: String) async throws {
        let daemon = FakeDaemon()
        let response = try await APIHarness.serving(daemon: daemon) {
            try await $0.raw(Self.method(method), uri, body: body)
        }
        #expect(response.status == 400, "\(method) \(uri): \(response.body)")
        let error = try JSONDecoder().decode(APIErrorBody.self, from: Data(response.body.utf8))
        #expect(error.error.contains(message), "\(method) \(uri): \(error.error)")
        let calls = await daemon.calls
        #expect(calls.isEmpty, "\(calls)")
    }

    @Test("an unknown route, or a known one with another method, is a JSON 404")
    func unknownRoute() async throws {
        let (unknown, wrongMethod, unversioned) = try await APIHarness.serving { harness in
            (
                try await harness.raw(.GET, "/v1/nothing"), try await harness.raw(.GET, "/v1/rollback"),
                try await harness.raw(.GET, "/status")
            )
        }
        for (response, route) in [
            (unknown, "GET /v1/nothing"), (wrongMethod, "GET /v1/rollback"), (unversioned, "GET /status"),
        ] {
            #expect(response.status == 404)
            let error = try JSONDecoder().decode(APIErrorBody.self, from: Data(response.body.utf8))
            #expect(error.error == "no route \(route)")
        }
    }

    @Test("a switch body without force means force false; unknown fields are ignored")
    func switchDefaults() async throws {
        let daemon = FakeDaemon()
        let response = try await APIHarness.serving(daemon: daemon) { harness in
            try await harness.raw(.POST, "/v1/switch", body: #"{"generation": 2, "note": "x"}"#)
        }
        #expect(response.status == 200, "\(response.body)")
        #expect(await daemon.calls == [.switchSystem(SwitchRequest(generation: 2, force: false))])
    }

    @Test("a body over 64 KiB is refused with 413")
    func tooLarge() async throws {
        let padding = String(repeating: "x", count: 70_000)
        let response = try await APIHarness.serving { harness in
            try await harness.raw(.POST, "/v1/switch", body: #"{"gitCommit": "\#(padding)"}"#)
        }
        #expect(response.status == 413)
        #expect(response.body.contains("larger than 65536 bytes"))
    }

    private static func method(_ name: String) -> HTTPMethod { name == "GET" ? .GET : .POST }
}
