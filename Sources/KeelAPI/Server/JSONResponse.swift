import Foundation
import Hummingbird

/// JSON responses: a value or an `APIError`, encoded with sorted keys and a final newline.
enum JSONResponse {
    /// A `200 OK` (or `status`) response carrying `value` as JSON.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        do {
            return body(try encode(value), status: status)
        } catch {
            return self.error(.failed("cannot encode the response: \(error)"))
        }
    }

    /// The response for an error: its status and `{"error": "message"}`.
    static func error(_ error: APIError) -> Response {
        let bytes = (try? encode(APIErrorBody(error: error.message))) ?? Array("{}\n".utf8)
        return body(bytes, status: HTTPResponse.Status(code: error.status))
    }

    /// `value` as one line of JSON with sorted keys, ending in a newline.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    private static func body(_ bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
