/// An OCI image index: the entry point of an image layout (`index.json`), one descriptor per
/// tagged manifest.
public struct ImageIndex: Sendable, Equatable {
    /// The manifests' descriptors (tags in their `org.opencontainers.image.ref.name` annotation).
    public var manifests: [ImageDescriptor]

    /// An index from its manifests.
    public init(manifests: [ImageDescriptor]) { self.manifests = manifests }

    /// `{"manifests", "mediaType", "schemaVersion": 2}`.
    public var json: CanonicalJSON {
        .object([
            "schemaVersion": .integer(2),
            "mediaType": .string(MediaType.imageIndex),
            "manifests": .array(manifests.map(\.json)),
        ])
    }

    /// The `oci-layout` file beside `index.json`: `{"imageLayoutVersion":"1.0.0"}`.
    public static let layoutMarker: CanonicalJSON = .object(["imageLayoutVersion": .string("1.0.0")])
}
