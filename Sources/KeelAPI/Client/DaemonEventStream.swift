import AsyncHTTPClient
import Foundation
import NIOCore

/// The daemon's events as `GET /v1/events?follow=1` streams them (NDJSON), one `DaemonEvent`
/// at a time; it ends when the daemon ends the stream. Stop consuming (or cancel the task) to
/// close the connection.
public struct DaemonEventStream: AsyncSequence, Sendable {
    /// The element: one event.
    public typealias Element = DaemonEvent

    private let body: HTTPClientResponse.Body

    init(body: HTTPClientResponse.Body) { self.body = body }

    /// An iterator over the events.
    public func makeAsyncIterator() -> Iterator { Iterator(chunks: body.makeAsyncIterator()) }

    /// Splits the streamed bytes into lines and decodes each as an event.
    public struct Iterator: AsyncIteratorProtocol {
        private var chunks: HTTPClientResponse.Body.AsyncIterator
        private var pending: [UInt8] = []
        private let decoder = JSONDecoder()
        /// The longest line accepted.
        private static let maximumLineLength = 1 << 20

        init(chunks: HTTPClientResponse.Body.AsyncIterator) { self.chunks = chunks }

        /// The next event, or nil when the stream has ended.
        ///
        /// - Throws: `DaemonClientError.invalidResponse` for a line that is not an event,
        ///   `.transport` when the connection fails.
        public mutating func next() async throws -> DaemonEvent? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeFirst(newline + 1)
                    if line.isEmpty { continue }
                    do { return try decoder.decode(DaemonEvent.self, from: Data(line)) } catch {
                        throw DaemonClientError.invalidResponse("an event line that is not a DaemonEvent: \(error)")
                    }
                }
                guard pending.count <= Self.maximumLineLength else {
                    throw DaemonClientError.invalidResponse("an event line longer than \(Self.maximumLineLength) bytes")
                }
                let chunk: ByteBuffer?
                do { chunk = try await chunks.next() } catch {
                    throw DaemonClientError.transport("the event stream broke: \(error)")
                }
                guard let chunk else {
                    guard pending.isEmpty else { throw DaemonClientError.invalidResponse("the stream ended mid-line") }
                    return nil
                }
                pending.append(contentsOf: chunk.readableBytesView)
            }
        }
    }
}
