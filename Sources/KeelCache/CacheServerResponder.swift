import Hummingbird

/// Answers every request of a cache server: GET and HEAD only (405 otherwise), the path
/// checked by `CacheServerRequestPath` before the source sees it (404 otherwise).
struct CacheServerResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// What is served.
    let source: any CacheServerSource

    func respond(to request: Request, context: Context) async throws -> Response {
        let method = request.method
        guard method == .get || method == .head else {
            var reply = CacheServerReply.text(.methodNotAllowed, "\(method) is not allowed: a cache is read-only\n")
            reply.headers[.allow] = "GET, HEAD"
            return reply.response(for: .get)
        }
        guard let path = CacheServerRequestPath(request.uri.path) else {
            return CacheServerReply.notFound("'\(request.uri.path)'").response(for: method)
        }
        return await source.reply(to: path, headers: request.headers).response(for: method)
    }
}
