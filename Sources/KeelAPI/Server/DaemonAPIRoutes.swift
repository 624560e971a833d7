import Hummingbird

/// The local API's routes (docs/api.md), each validating its input, calling `DaemonOperations`
/// and rendering JSON.
enum DaemonAPIRoutes {
    /// The largest `limit` and `lines` a request may ask for.
    static let maximumCount = 10_000
    /// `limit` and `lines` when a request gives none.
    static let defaultCount = 100

    /// A router serving every route for `operations`, reading logs through `logs`.
    static func router(operations: any DaemonOperations, logs: AgentLogReader) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(APIErrorMiddleware())
        router.get("/v1/status") { request, _ in
            _ = try RequestInput.query(request, allowed: [])
            return JSONResponse.make(await operations.status())
        }
        router.post("/v1/agents/:name/start") { _, context in
            JSONResponse.make(try await operations.start(agent: try RequestInput.agentName(context)))
        }
        router.post("/v1/agents/:name/stop") { _, context in
            JSONResponse.make(try await operations.stop(agent: try RequestInput.agentName(context)))
        }
        router.post("/v1/agents/:name/restart") { _, context in
            JSONResponse.make(try await operations.restart(agent: try RequestInput.agentName(context)))
        }
        router.get("/v1/agents/:name/logs") { request, context in
            let name = try RequestInput.agentName(context)
            let query = try RequestInput.query(request, allowed: ["lines"])
            let count = try RequestInput.integer(query, "lines", in: 1...maximumCount) ?? defaultCount
            return JSONResponse.make(try await logs.lastLines(agent: name, count: count))
        }
        router.post("/v1/switch") { request, _ in
            let body = try await RequestInput.json(SwitchRequestBody.self, from: request)
            return JSONResponse.make(try await operations.switchSystem(try body.validated()))
        }
        router.post("/v1/rollback") { _, _ in
            JSONResponse.make(try await operations.rollback())
        }
        router.get("/v1/events") { request, _ in
            try await events(request, operations: operations)
        }
        return router
    }

    /// `GET /v1/events`: a page of the events in memory, or (`follow=1`) their stream.
    private static func events(_ request: Request, operations: any DaemonOperations) async throws(APIError)
        -> Response
    {
        let query = try RequestInput.query(request, allowed: ["after", "limit", "follow"])
        let after = try RequestInput.integer(query, "after", in: 0...Int.max)
        let limit = try RequestInput.integer(query, "limit", in: 1...maximumCount)
        if try RequestInput.flag(query, "follow") {
            guard limit == nil else { throw .badRequest("'limit' does not apply with follow=1") }
            return EventStreamResponse.make(await operations.events(after: after), for: request)
        }
        let count = limit ?? defaultCount
        guard let after else { return JSONResponse.make(await operations.recentEvents(limit: count)) }
        let newer = await operations.recentEvents(limit: Int.max).filter { $0.sequence > after }
        return JSONResponse.make(Array(newer.prefix(count)))
    }
}
