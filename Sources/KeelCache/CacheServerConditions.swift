import Hummingbird

/// The conditional and partial parts of a GET (RFC 9110 §13, §14): `If-None-Match` against the
/// entity tag, then `Range` (one byte range; `If-Range` only with the same entity tag).
enum CacheServerConditions {
    /// What a `Range` header asks of a body of known size.
    enum RangeRequest: Equatable {
        /// The whole body: no `Range`, one that is malformed or asks for several ranges (which a
        /// server may ignore), or an `If-Range` that no longer matches.
        case whole
        /// These bytes (inclusive bounds), answered with 206.
        case partial(ClosedRange<UInt64>)
        /// A range starting past the end, answered with 416.
        case unsatisfiable
    }

    /// Whether `If-None-Match` (all its field lines) names `entityTag` or is `*`; weak tags
    /// compare by their opaque part, as the weak comparison RFC 9110 requires here.
    static func matches(ifNoneMatch fields: HTTPFields, entityTag: String) -> Bool {
        let values = fields[values: .ifNoneMatch]
        for value in values {
            for candidate in value.split(separator: ",") {
                var tag = trimmed(candidate)
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag.removeFirst(2) }
                var own = entityTag
                if own.hasPrefix("W/") { own.removeFirst(2) }
                if tag == own[...] { return true }
            }
        }
        return false
    }

    /// What the request's `Range` and `If-Range` ask of a body of `size` bytes tagged `entityTag`.
    static func range(_ fields: HTTPFields, entityTag: String, size: UInt64) -> RangeRequest {
        guard let header = fields[.range] else { return .whole }
        if let ifRange = fields[.ifRange], ifRange != entityTag { return .whole }
        let text = trimmed(Substring(header))
        guard text.hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = trimmed(spec[..<dash])
        let last = trimmed(spec[spec.index(after: dash)...])
        if first.isEmpty {
            guard let suffix = number(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial((size - min(suffix, size))...(size - 1))
        }
        guard let start = number(first) else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = number(last), end >= start else { return .whole }
        return .partial(start...min(end, size - 1))
    }

    /// `text` without the spaces and tabs around it.
    private static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isBlank($0) }), let end = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return text[start...end]
    }

    /// A decimal number of digits only.
    private static func number(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")) ~= $0 }) else {
            return nil
        }
        return UInt64(text)
    }
}
