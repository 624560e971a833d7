/// The `manifest.json` of a docker-archive (`docker save` / `docker load`): a one-element array
/// naming the configuration file, the tags and the layer files, base first.
public struct DockerArchiveManifest: Sendable, Equatable {
    /// The configuration's path inside the archive.
    public var configPath: String
    /// The tags, `name:tag`.
    public var repoTags: [String]
    /// The layer files' paths inside the archive, base first (same order as the diff_ids).
    public var layerPaths: [String]

    /// A manifest from its parts.
    public init(configPath: String, repoTags: [String], layerPaths: [String]) {
        self.configPath = configPath
        self.repoTags = repoTags
        self.layerPaths = layerPaths
    }

    /// `[{"Config", "Layers", "RepoTags"}]`.
    public var json: CanonicalJSON {
        .array([
            .object([
                "Config": .string(configPath),
                "RepoTags": .array(repoTags.map { .string($0) }),
                "Layers": .array(layerPaths.map { .string($0) }),
            ])
        ])
    }
}
