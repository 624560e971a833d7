import Hummingbird

/// A source's answer to a GET or HEAD: status, headers, and a body that is only produced for a
/// GET (a HEAD gets the same headers and no body, and starts no producer).
struct CacheServerReply: Sendable {
    /// Where the body comes from.
    enum Body: Sendable {
        /// Bytes already in memory.
        case bytes(ByteBuffer)
        /// A stream started when the body is written, of `length` bytes when known.
        case stream(length: UInt64?, start: @Sendable () -> CacheServerChunkChannel)
        /// No body (304, 416, errors without text).
        case empty
    }

    /// The status.
    var status: HTTPResponse.Status
    /// The headers, without Content-Length (set from the body).
    var headers: HTTPFields
    /// The body.
    var body: Body

    /// A reply of `status` with `body`.
    init(_ status: HTTPResponse.Status, headers: HTTPFields = [:], body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain text reply (an error's one line, `nix-cache-info`, a narinfo).
    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain; charset=utf-8")
        -> CacheServerReply
    {
        CacheServerReply(status, headers: [.contentType: contentType], body: .bytes(ByteBuffer(string: text)))
    }

    /// 404 with a line naming what is missing.
    static func notFound(_ what: String) -> CacheServerReply {
        text(.notFound, "\(what) not found\n")
    }

    /// The response for a request of `method`: the body only for GET, and then a stream's
    /// producer is closed when the writing ends (the client hung up, say).
    func response(for method: HTTPRequest.Method) -> Response {
        let length: Int?
        switch body {
        case .bytes(let buffer): length = buffer.readableBytes
        case .stream(let streamLength, _): length = streamLength.map { Int($0) }
        case .empty: length = 0
        }
        let status = status
        let headers = headers
        guard method == .get else {
            // HEAD: the headers a GET would get; NIO sends no body for it.
            return Response(
                status: status, headers: headers, body: ResponseBody(contentLength: length) { try await $0.finish(nil) }
            )
        }
        switch body {
        case .bytes(let buffer):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
        case .empty:
            return Response(status: status, headers: headers, body: ResponseBody())
        case .stream(_, let start):
            return Response(
                status: status, headers: headers,
                body: ResponseBody(contentLength: length) { writer in
                    let channel = start()
                    defer { channel.close() }
                    while let chunk = try await channel.next() { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
        }
    }
}

/// What a cache server serves: a cache directory, or the local store.
protocol CacheServerSource: Sendable {
    /// The reply to a GET or HEAD of `path` carrying `headers` (for `If-None-Match`, `Range`).
    func reply(to path: CacheServerRequestPath, headers: HTTPFields) async -> CacheServerReply
}
