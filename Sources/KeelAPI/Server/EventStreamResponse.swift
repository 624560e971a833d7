import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /v1/events?follow=1`: the daemon's events as NDJSON, one JSON object per line, each
/// written and flushed as it comes. The stream ends on the daemon's graceful shutdown, and as
/// soon as the client closes its side of the connection: a client that went away holds no
/// subscription, whether or not another event comes.
enum EventStreamResponse {
    /// A streamed response of `events` to `request`.
    static func make(_ events: AsyncStream<DaemonEvent>, for request: Request) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/x-ndjson"],
            body: ResponseBody { writer in
                do {
                    // Cancels the loop below when the client's side of the connection closes;
                    // cancelling the iteration ends the daemon's subscription.
                    try await request.body.consumeWithCancellationOnInboundClose { _ in
                        for await event in events.cancelOnGracefulShutdown() {
                            try await writer.write(ByteBuffer(bytes: (try? JSONResponse.encode(event)) ?? []))
                        }
                    }
                } catch is CancellationError {
                    // The client went away: nobody is left to finish the response for.
                    return
                }
                try await writer.finish(nil)
            })
    }
}
