import KeelArchive

/// Everything one image is made of: the closure and its references, the config, the
/// customisation files, and how to lay it out and where to write it.
public struct ImageBuildRequest: Sendable {
    /// The store directory the paths live in (their absolute paths in the image too).
    public var storeDirectory: String
    /// Every path of the closure, with its NAR hash and references.
    public var closure: [ClosurePath]
    /// The image config; the builder fills in its diff_ids and history.
    public var configuration: ImageConfiguration
    /// The customisation layer's files (the layer is always written, even when empty of
    /// files, so the store layers stay shareable with images of other configs).
    public var files: [ImageFile]
    /// Layers in all, the customisation layer included: 2 through 125.
    public var maxLayers: Int
    /// How paths past the layer budget are grouped.
    public var grouping: LayerGrouping
    /// How layer blobs are stored.
    public var compression: LayerCompression
    /// What is written to `output`.
    public var format: ImageFormat
    /// The image's name and tag.
    public var reference: ImageReference
    /// Where the image goes (a directory for `oci-dir`, a file for the archives).
    public var output: String
    /// Whether an existing `output` (an OCI layout or an archive file) is replaced.
    public var replaceExisting: Bool
    /// `CACHE/images` for the layer cache; nil builds every layer.
    public var cacheDirectory: String?
    /// The fixed tar metadata.
    public var formatting: TarFormatting

    /// A request with the defaults: 100 layers (balanced), uncompressed, an OCI layout, the layer cache off.
    public init(
        storeDirectory: String, closure: [ClosurePath], configuration: ImageConfiguration, files: [ImageFile],
        reference: ImageReference, output: String
    ) {
        self.storeDirectory = storeDirectory
        self.closure = closure
        self.configuration = configuration
        self.files = files
        self.reference = reference
        self.output = output
        maxLayers = 100
        grouping = .balanced
        compression = .none
        format = .ociDirectory
        replaceExisting = false
        cacheDirectory = nil
        formatting = TarFormatting()
    }

    /// The most layers an image may have: Docker refuses deeper chains.
    public static let layerLimit = 125
}

/// One store path of an image's closure.
public struct ClosurePath: Sendable, Equatable {
    /// Its absolute path.
    public var path: String
    /// Its NAR hash as the store records it (keys the layer cache).
    public var narHash: String
    /// Its NAR size (for `--explain`).
    public var narSize: UInt64
    /// The absolute paths it references (itself included when it does).
    public var references: [String]

    /// A closure path.
    public init(path: String, narHash: String, narSize: UInt64, references: [String]) {
        self.path = path
        self.narHash = narHash
        self.narSize = narSize
        self.references = references
    }
}

/// What `keel image build` writes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// An OCI image layout directory.
    case ociDirectory = "oci-dir"
    /// One tar that is an OCI image layout and, through its `manifest.json`, a docker-archive.
    case ociArchive = "oci-archive"
    /// The same tar as `oci-archive`: `docker load` and `podman load` read its manifest.json.
    case dockerArchive = "docker-archive"
}
