import Foundation
import Hummingbird
import NIOCore

/// Reading and validating what a request carries: path parameters, query parameters and JSON
/// bodies. Every failure is a 400 `APIError` that says what is wrong.
enum RequestInput {
    /// The largest request body accepted.
    static let maximumBodySize = 64 * 1024

    /// The `{name}` path parameter, checked against keel.toml's agent-name rule.
    static func agentName(_ context: some RequestContext) throws(APIError) -> String {
        guard let raw = context.parameters.get("name") else { throw .badRequest("the route needs an agent name") }
        let name = raw.removingPercentEncoding ?? raw
        guard AgentName.isValid(name) else {
            throw .badRequest("invalid agent name '\(name)': use \(AgentName.rule)")
        }
        return name
    }

    /// The query parameters, each at most once and all among `allowed`.
    static func query(_ request: Request, allowed: Set<String>) throws(APIError) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            guard allowed.contains(key) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw .badRequest("unknown query parameter '\(key)' (known: \(known.isEmpty ? "none" : known))")
            }
            guard values[key] == nil else { throw .badRequest("query parameter '\(key)' given twice") }
            values[key] = String(value)
        }
        return values
    }

    /// An integer query parameter within `range`, or nil when absent.
    static func integer(_ query: [String: String], _ key: String, in range: ClosedRange<Int>) throws(APIError)
        -> Int?
    {
        guard let text = query[key] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest(
                "'\(key)' must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A boolean query parameter (`1`, `true`, `0`, `false`), false when absent.
    static func flag(_ query: [String: String], _ key: String) throws(APIError) -> Bool {
        switch query[key] {
        case nil, "0", "false": return false
        case "1", "true": return true
        case let text?: throw .badRequest("'\(key)' must be 1, true, 0 or false, not '\(text)'")
        }
    }

    /// The request's JSON body decoded as `T`.
    static func json<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError(status: 413, "the request body is larger than \(maximumBodySize) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(status: 413, "the request body is larger than \(maximumBodySize) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("the request needs a JSON body") }
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.badRequest(describe(error))
        }
    }

    /// A decoding error in one line, naming the field at fault.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the body" : "'" + path.map(\.stringValue).joined(separator: ".") + "'"
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(field(context.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(field(context.codingPath)) must be \(typeName(type)), not null"
        case .keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(field(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "the body is invalid: \(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is [String: Any].Type: "an object"
        default: "a \(type)"
        }
    }
}
