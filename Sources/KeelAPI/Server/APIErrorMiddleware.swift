import Hummingbird

/// Turns every failure of a route into a JSON error body: `APIError` with its own status,
/// Hummingbird's errors (an unknown route, a body too large) with theirs, anything else as 500.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONResponse.error(error)
        } catch let error as HTTPError {
            if error.status == .notFound {
                return JSONResponse.error(.notFound("no route \(request.method) \(request.uri.path)"))
            }
            let message = error.body ?? error.status.reasonPhrase.lowercased()
            return JSONResponse.error(APIError(status: error.status.code, message))
        } catch {
            return JSONResponse.error(.failed("\(error)"))
        }
    }
}
