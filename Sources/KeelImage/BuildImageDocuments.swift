/// The JSON documents of a built image, as the exact bytes that are hashed and written: the
/// config (with the layers' diff_ids and one history entry per layer), the manifest, the
/// index (tagged), `oci-layout`, and the `manifest.json` a docker-archive needs.
struct ImageDocuments {
    let config: [UInt8]
    let configDescriptor: ImageDescriptor
    let manifest: [UInt8]
    let manifestDescriptor: ImageDescriptor
    let index: [UInt8]
    let layout: [UInt8]
    let dockerManifest: [UInt8]

    init(request: ImageBuildRequest, layers: [BuiltLayer]) throws {
        var configuration = request.configuration
        configuration.diffIDs = layers.map(\.diffID)
        configuration.history = layers.map { layer in
            HistoryEntry(
                created: configuration.created, createdBy: "keel image build", comment: Self.comment(for: layer))
        }
        config = configuration.json.bytes
        configDescriptor = ImageDescriptor(
            mediaType: MediaType.imageConfig, digest: ImageDigest.sha256(of: config), size: UInt64(config.count))
        let layerDescriptors = layers.map {
            ImageDescriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size)
        }
        manifest = ImageManifest(config: configDescriptor, layers: layerDescriptors).json.bytes
        let annotations = [
            AnnotationKey.referenceName: request.reference.tag,
            AnnotationKey.containerdImageName: request.reference.description,
        ]
        manifestDescriptor = ImageDescriptor(
            mediaType: MediaType.imageManifest, digest: ImageDigest.sha256(of: manifest), size: UInt64(manifest.count),
            annotations: annotations)
        index = ImageIndex(manifests: [manifestDescriptor]).json.bytes
        layout = ImageIndex.layoutMarker.bytes
        dockerManifest =
            DockerArchiveManifest(
                configPath: Self.blobPath(configDescriptor.digest), repoTags: [request.reference.description],
                layerPaths: layers.map { Self.blobPath($0.digest) }
            ).json.bytes
    }

    /// A blob's path inside a layout: `blobs/sha256/HEX`.
    static func blobPath(_ digest: ImageDigest) -> String { "blobs/sha256/" + digest.hex }

    /// The history comment of a layer: its store path's name, how many paths it merges, or
    /// that it is the customisation layer.
    static func comment(for layer: BuiltLayer) -> String {
        switch layer.paths.count {
        case 0: "customisation layer"
        case 1: "store path " + (layer.paths[0].split(separator: "/").last.map(String.init) ?? layer.paths[0])
        default: "\(layer.paths.count) store paths"
        }
    }
}
