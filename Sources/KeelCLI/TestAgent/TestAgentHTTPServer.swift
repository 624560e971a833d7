import Dispatch
import Hummingbird
import KeelLinux
import Logging
import NIOCore
import Synchronization

/// The agent's HTTP/1.1 server: `GET /health` answers 200 `ok` or 503 with the reason, `GET /`
/// a line of JSON about the agent; every request is reported on the agent's output.
struct TestAgentHTTPServer: Sendable {
    /// Where to listen.
    let address: TestAgentHTTPAddress
    /// What `/health` reports.
    let health: TestAgentHealth
    /// The agent's name, for `GET /`.
    let name: String
    /// Where requests are reported.
    let output: TestAgentOutput

    /// Starts serving on Swift concurrency's threads and returns once the server listens.
    ///
    /// A server that stops later (it should not) ends the agent with status 1.
    /// - Returns: the port it listens on (the kernel's choice for port 0).
    /// - Throws: `CLIError` when it cannot listen.
    func start() throws(CLIError) -> Int {
        let start = ServerStart()
        let output = output
        let address = address
        let router = Router()
        router.get("/health") { _, _ in healthResponse() }
        router.get("/") { _, _ in aboutResponse() }
        var logger = Logger(label: "keel.test-agent")
        logger.logLevel = .critical
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in start.finish(.success(channel.localAddress?.port ?? address.port)) },
            logger: logger)
        Task.detached {
            var reason = "the server stopped"
            do { try await application.runService(gracefulShutdownSignals: []) } catch { reason = "\(error)" }
            if !start.finish(.failure(CLIError("cannot serve HTTP on \(address): \(reason)"))) {
                output.line("HTTP server on \(address) ended: \(reason); exiting with status 1")
                ProcessEnd.exitNow(1)
            }
        }
        return try start.wait().get()
    }

    private func healthResponse() -> Response {
        if let problem = health.problem() {
            output.line("GET /health -> 503 (\(problem))")
            return text(.serviceUnavailable, "unhealthy: \(problem)\n")
        }
        output.line("GET /health -> 200 ok")
        return text(.ok, "ok\n")
    }

    private func aboutResponse() -> Response {
        let about: JSONValue = .object([
            ("name", .string(name)), ("pid", .number(Int64(ProcessTree.ownPID))),
            ("uptime_ms", .number(Int64(health.uptimeMilliseconds))), ("healthy", .bool(health.problem() == nil)),
        ])
        output.line("GET / -> 200")
        var response = text(.ok, about.rendered(pretty: false) + "\n")
        response.headers[.contentType] = "application/json"
        return response
    }

    private func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The moment the server listens (or fails to), which `start` waits for.
private final class ServerStart: Sendable {
    private let outcome = Mutex<Result<Int, CLIError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Records the first outcome and wakes `wait`; false when one was recorded already.
    @discardableResult
    func finish(_ result: Result<Int, CLIError>) -> Bool {
        let first = outcome.withLock { recorded in
            guard recorded == nil else { return false }
            recorded = result
            return true
        }
        if first { done.signal() }
        return first
    }

    /// Blocks until `finish` and returns its outcome.
    func wait() -> Result<Int, CLIError> {
        done.wait()
        return outcome.withLock { $0 } ?? .failure(CLIError("the HTTP server did not start"))
    }
}
