/// A content descriptor: what a blob is, its digest and its size in bytes.
public struct ImageDescriptor: Sendable, Equatable {
    /// The blob's media type (see `MediaType`).
    public var mediaType: String
    /// The digest of the blob's bytes as stored.
    public var digest: ImageDigest
    /// The blob's length in bytes.
    public var size: UInt64
    /// Annotations; omitted from the JSON when empty.
    public var annotations: [String: String]

    /// A descriptor from its parts.
    public init(mediaType: String, digest: ImageDigest, size: UInt64, annotations: [String: String] = [:]) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    /// The descriptor of `content`: its digest and length.
    public init(mediaType: String, describing content: [UInt8], annotations: [String: String] = [:]) {
        self.init(
            mediaType: mediaType, digest: .sha256(of: content), size: UInt64(content.count), annotations: annotations)
    }

    /// `{"annotations"?, "digest", "mediaType", "size"}`.
    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "mediaType": .string(mediaType),
            "digest": .string(digest.description),
            "size": .integer(Int64(clamping: size)),
        ]
        if !annotations.isEmpty { members["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return .object(members)
    }
}
