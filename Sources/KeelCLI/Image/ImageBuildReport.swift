import KeelImage

/// What `keel image build` prints: a summary, the layer decisions with `--explain`, or JSON.
struct ImageBuildReport {
    let result: ImageBuildResult
    let closure: [ClosurePath]
    let grouping: LayerGrouping

    /// The JSON document `--json` prints.
    var json: Document {
        Document(
            output: result.output, format: result.format.rawValue, reference: result.reference.description,
            manifestDigest: result.manifestDigest.description, configDigest: result.configDigest.description,
            layers: result.layers.map {
                Layer(
                    digest: $0.digest.description, diffID: $0.diffID.description, mediaType: $0.mediaType,
                    size: $0.size, paths: $0.paths, fromCache: $0.fromCache)
            })
    }

    /// The summary lines.
    func printSummary() {
        let total = result.layers.reduce(UInt64(0)) { $0 + $1.size }
        let cached = result.layers.filter(\.fromCache).count
        print("\(result.format.rawValue) \(result.output)")
        print("  image     \(result.reference)")
        print("  manifest  \(result.manifestDigest)")
        print("  config    \(result.configDigest) (the image ID)")
        print("  layers    \(result.layers.count), \(ByteCount(total)) (\(cached) from the layer cache)")
    }

    /// How the layers were chosen, one line per layer.
    func printExplanation() {
        let narTotal = closure.reduce(UInt64(0)) { $0 + $1.narSize }
        let storeLayers = result.layers.filter { !$0.paths.isEmpty }
        let shared = storeLayers.filter { $0.paths.count > 1 }
        print("closure: \(closure.count) store paths, \(ByteCount(narTotal)) (NAR)")
        print("layers: the store paths most referenced in the closure first (Nix's popularity contest);")
        if shared.isEmpty {
            print("        one layer each;")
        } else if grouping == .nixpkgs {
            print(
                "        past the budget, the \(shared.last?.paths.count ?? 0) least referenced share the last store layer;"
            )
        } else {
            let sharing = shared.reduce(0) { $0 + $1.paths.count }
            print(
                "        past the budget, runs of that order of even size: \(sharing) paths share \(shared.count) layers;"
            )
            // Said only when every root of the closure has a layer of its own, last.
            let referenced = Set(closure.flatMap { path in path.references.filter { $0 != path.path } })
            let roots = closure.filter { !referenced.contains($0.path) }.count
            let alone = storeLayers.reversed().prefix { $0.paths.count == 1 && !referenced.contains($0.paths[0]) }.count
            if roots > 0 && alone == roots {
                let which =
                    roots == 1
                    ? "root (new with any change under it)" : "\(roots) roots (new with any change under them)"
                print("        the closure's \(which) last, a layer each;")
            }
        }
        print("        the customisation layer on top")
        let sizes = Dictionary(closure.map { ($0.path, $0.narSize) }, uniquingKeysWith: { first, _ in first })
        for (index, layer) in result.layers.enumerated() {
            let what: String
            switch layer.paths.count {
            case 0: what = "customisation layer"
            case 1: what = ImageBuildProgress.name(layer.paths[0])
            default:
                let names = layer.paths.prefix(3).map(ImageBuildProgress.name).joined(separator: ", ")
                what = "\(layer.paths.count) store paths: \(names)\(layer.paths.count > 3 ? ", …" : "")"
            }
            let nar = layer.paths.reduce(UInt64(0)) { $0 + (sizes[$1] ?? 0) }
            let number = String(index + 1)
            let padded = String(repeating: " ", count: max(0, 4 - number.count)) + number
            let size = ByteCount(layer.size).description
            let sizeColumn = size + String(repeating: " ", count: max(0, 11 - size.count))
            let origin = layer.fromCache ? " [cached]" : ""
            let narNote = layer.paths.isEmpty ? "" : " (NAR \(ByteCount(nar)))"
            print("\(padded)  \(layer.digest.hex.prefix(12))  \(sizeColumn) \(what)\(narNote)\(origin)")
        }
    }

    /// `--json`'s document.
    struct Document: Encodable {
        let output: String
        let format: String
        let reference: String
        let manifestDigest: String
        let configDigest: String
        let layers: [Layer]

        enum CodingKeys: String, CodingKey {
            case output, format, reference, layers
            case manifestDigest = "manifest_digest"
            case configDigest = "config_digest"
        }
    }

    /// One layer in `--json`.
    struct Layer: Encodable {
        let digest: String
        let diffID: String
        let mediaType: String
        let size: UInt64
        let paths: [String]
        let fromCache: Bool

        enum CodingKeys: String, CodingKey {
            case digest, size, paths
            case diffID = "diff_id"
            case mediaType = "media_type"
            case fromCache = "from_cache"
        }
    }
}
