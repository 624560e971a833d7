import KeelArchive
import KeelLinux
import SystemPackage

/// Builds an image from a request: plans the layers (popularity contest, capped), streams each
/// store layer from the store into its blob while hashing it (or takes it from the layer
/// cache), writes the customisation layer, the config, the manifest and the index, and only
/// then moves the result to the output path: a failure or a kill leaves no half-written output.
public enum ImageBuilder {
    /// Builds the image `request` describes.
    ///
    /// - Parameter progress: called on this thread as each layer starts and ends.
    /// - Throws: `ImageBuildError` for bad input (a layer count out of range, an output that
    ///   exists without `replaceExisting`…) and for files that cannot be read or written.
    public static func build(
        _ request: ImageBuildRequest, progress: (ImageBuildEvent) -> Void = { _ in }
    ) throws -> ImageBuildResult {
        guard (2...ImageBuildRequest.layerLimit).contains(request.maxLayers) else {
            throw ImageBuildError(
                "--max-layers \(request.maxLayers) is out of range: 2 through \(ImageBuildRequest.layerLimit) "
                    + "(one layer is the customisation layer; Docker refuses more than 125)")
        }
        let target = try OutputTarget(path: request.output, format: request.format, replace: request.replaceExisting)
        let staging = try target.makeStaging()
        var committed = false
        defer { if !committed { staging.remove() } }

        let groups = plan(request)
        let cache = request.cacheDirectory.map { LayerCache(directory: $0) }
        let narHashes = Dictionary(
            request.closure.map { ($0.path, $0.narHash) }, uniquingKeysWith: { first, _ in first })
        // Cached layers are linked in as they are found; the others are written afterwards,
        // several at once.
        var cached: [Int: BuiltLayer] = [:]
        var missing: [MissingLayerBuild.Job] = []
        for (index, group) in groups.enumerated() {
            let paths = group.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let key = LayerCache.key(
                paths: paths.map { ($0, narHashes[$0] ?? "") }, storeDirectory: request.storeDirectory,
                formatting: request.formatting, compression: request.compression)
            guard let cache, let hit = cache.lookup(key) else {
                missing.append(MissingLayerBuild.Job(index: index, paths: paths, key: key))
                continue
            }
            progress(.layerStarted(index: index, count: groups.count + 1, paths: paths))
            try staging.adoptBlob(from: hit.blob, digest: hit.digests.digest)
            let layer = BuiltLayer(
                paths: paths, digests: hit.digests, mediaType: request.compression.mediaType, fromCache: true)
            cached[index] = layer
            progress(.layerFinished(index: index, count: groups.count + 1, layer: layer))
        }
        let written = try MissingLayerBuild(
            request: request, writer: staging.layerWriter, cache: cache, concurrency: Self.layerConcurrency
        ).run(missing, layerCount: groups.count + 1, progress: progress)
        var layers: [BuiltLayer] = []
        for index in groups.indices {
            guard let layer = cached[index] ?? written[index] else {
                throw ImageBuildError("layer \(index + 1) was not built")
            }
            layers.append(layer)
        }
        progress(.layerStarted(index: groups.count, count: groups.count + 1, paths: []))
        let customisation = try staging.writeBlob(compression: request.compression) { stream in
            try CustomisationTar(formatting: request.formatting).append(request.files, into: &stream)
        }
        let top = BuiltLayer(
            paths: [], digests: customisation.digests, mediaType: request.compression.mediaType, fromCache: false)
        layers.append(top)
        progress(.layerFinished(index: groups.count, count: groups.count + 1, layer: top))

        let documents = try ImageDocuments(request: request, layers: layers)
        try staging.write(documents)
        try target.commit(staging, documents: documents)
        committed = true
        return ImageBuildResult(
            output: target.path, format: request.format, reference: request.reference,
            manifestDigest: documents.manifestDescriptor.digest, configDigest: documents.configDescriptor.digest,
            layers: layers)
    }

    /// How many layers are written at once: two workers keep two cores busy with the many
    /// small files of a typical layer, each hashing on a thread of its own besides.
    static let layerConcurrency = 2

    /// The store layers' paths, most popular first, at most `maxLayers - 1` groups.
    static func plan(_ request: ImageBuildRequest) -> [[String]] {
        guard !request.closure.isEmpty else { return [] }
        var references: [String: [String]] = [:]
        var sizes: [String: UInt64] = [:]
        for path in request.closure {
            references[path.path] = path.references
            sizes[path.path] = path.narSize
        }
        let order = LayerPlanner.popularityOrder(references: references)
        switch request.grouping {
        case .balanced:
            // The closure's roots (the paths none of it references) score 1, the lowest score,
            // so they end the order. Any change under a root gives it a new path, so each root
            // gets a layer of its own while they are few: a change never drags the paths a
            // root would share a layer with into the rebuild.
            let budget = request.maxLayers - 1
            let referenced = Set(request.closure.flatMap { path in path.references.filter { $0 != path.path } })
            let roots = order.reversed().prefix { !referenced.contains($0) }.count
            guard order.count > budget, roots > 0, roots <= budget / 4 else {
                return LayerPlanner.balancedGroups(order, sizes: sizes, maxStoreLayers: budget)
            }
            return LayerPlanner.balancedGroups(
                Array(order.dropLast(roots)), sizes: sizes, maxStoreLayers: budget - roots)
                + order.suffix(roots).map { [$0] }
        case .nixpkgs: return LayerPlanner.group(order, maxStoreLayers: request.maxLayers - 1)
        }
    }
}

/// A step of a build, for progress lines.
public enum ImageBuildEvent: Sendable {
    /// Layer `index` of `count` starts (no paths: the customisation layer).
    case layerStarted(index: Int, count: Int, paths: [String])
    /// Layer `index` of `count` is written.
    case layerFinished(index: Int, count: Int, layer: BuiltLayer)
}

/// One layer of a built image.
public struct BuiltLayer: Sendable, Equatable {
    /// Its store paths; empty for the customisation layer.
    public let paths: [String]
    /// The digest of the uncompressed tar.
    public let diffID: ImageDigest
    /// The digest of the blob.
    public let digest: ImageDigest
    /// The blob's size.
    public let size: UInt64
    /// The tar's size, uncompressed.
    public let tarSize: UInt64
    /// Its media type.
    public let mediaType: String
    /// Whether it came from the layer cache (not read again).
    public let fromCache: Bool

    init(paths: [String], digests: LayerDigests, mediaType: String, fromCache: Bool) {
        self.paths = paths
        diffID = digests.diffID
        digest = digests.digest
        size = digests.size
        tarSize = digests.tarSize
        self.mediaType = mediaType
        self.fromCache = fromCache
    }
}

/// What a build made.
public struct ImageBuildResult: Sendable {
    /// Where it is.
    public let output: String
    /// In which format.
    public let format: ImageFormat
    /// Its name and tag.
    public let reference: ImageReference
    /// The manifest's digest (a registry's "image digest").
    public let manifestDigest: ImageDigest
    /// The config's digest (Docker's and podman's image ID).
    public let configDigest: ImageDigest
    /// Its layers, base first.
    public let layers: [BuiltLayer]
}
