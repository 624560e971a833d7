import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Feeds one HTTP response's body into a `ResponseBodyChannel`; a status other than 200, a
/// transfer error or a timeout ends the channel with a message naming `what`.
final class ResponseBodyDelegate: HTTPClientResponseDelegate {
    typealias Response = Void

    private let channel: ResponseBodyChannel
    private let what: String
    private let describeError: @Sendable (any Error) -> String

    /// Feeds `channel` with the body of `what` (a file and its cache, for messages).
    init(channel: ResponseBodyChannel, what: String, describeError: @escaping @Sendable (any Error) -> String) {
        self.channel = channel
        self.what = what
        self.describeError = describeError
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        guard head.status == .ok else {
            let message =
                head.status == .notFound
                ? "\(what) does not exist" : "\(what): HTTP status \(head.status.code) \(head.status.reasonPhrase)"
            channel.fail(message)
            return task.eventLoop.makeFailedFuture(ResponseBodyChannel.ChannelCancelled())
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        channel.offer(buffer, on: task.eventLoop)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        channel.fail("\(what): \(describeError(error))")
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        channel.finish()
    }
}
