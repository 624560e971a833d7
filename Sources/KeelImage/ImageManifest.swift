/// An OCI image manifest: the configuration and the layers, base first.
public struct ImageManifest: Sendable, Equatable {
    /// The configuration blob's descriptor.
    public var config: ImageDescriptor
    /// The layer blobs' descriptors, base first.
    public var layers: [ImageDescriptor]

    /// A manifest from its parts.
    public init(config: ImageDescriptor, layers: [ImageDescriptor]) {
        self.config = config
        self.layers = layers
    }

    /// `{"config", "layers", "mediaType", "schemaVersion": 2}`.
    public var json: CanonicalJSON {
        .object([
            "schemaVersion": .integer(2),
            "mediaType": .string(MediaType.imageManifest),
            "config": config.json,
            "layers": .array(layers.map(\.json)),
        ])
    }
}
