import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /v1/events?follow=1`: the daemon's events as NDJSON, one JSON object per line, each
/// written and flushed as it comes. The stream ends on the daemon's graceful shutdown, or
/// with the first write after the client went away.
enum EventStreamResponse {
    /// A streamed response of `events`.
    static func make(_ events: AsyncStream<DaemonEvent>) -> Response {
        let lines = events.map { event -> ByteBuffer in
            ByteBuffer(bytes: (try? JSONResponse.encode(event)) ?? [])
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson"],
            body: ResponseBody(asyncSequence: lines.cancelOnGracefulShutdown()))
    }
}
