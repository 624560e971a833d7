import KeelImage
import KeelTesting
import Testing

@Suite("Image documents: the spec's §5.3 fixture digests, descriptors and the docker-archive manifest", .ownThreads)
struct ImageDocumentTests {
    static let created = "1970-01-01T00:00:01Z"
    static let layerDigests = [
        "cd4201894ff67cd4f9730f391cc894521ab9f75491a4ba37bd2e45b132304409",
        "1831ee4af3e77a34b8bd9a08456edcddb9efb49a2d21f55baf23a67f846ca933",
        "dbaf58680533e642b243767c2fa3372523af1439e40bef32df7103b67cdc3ce4",
    ]
    static let layerSizes: [UInt64] = [1_986_560, 10240, 10240]

    static func fixtureConfiguration() throws -> ImageConfiguration {
        ImageConfiguration(
            architecture: "amd64", os: "linux", created: created, environment: ["PATH=/bin"],
            entrypoint: ["/bin/hello"], workingDirectory: "/",
            diffIDs: try layerDigests.map { try ImageDigest(hex: $0) },
            history: ["store path busybox", "store path hello", "customisation layer"].map {
                HistoryEntry(created: created, createdBy: "mkoci.py", comment: $0)
            })
    }

    @Test("config, manifest and index.json hash to the fixture's real digests")
    func fixtureDigests() throws {
        let config = try Self.fixtureConfiguration().json.bytes
        #expect(config.count == 689)
        #expect(
            ImageDigest.sha256(of: config).description
                == "sha256:9e1a276e153292f12a106af1b7f65439bac74f5982f2f003d09b35796158feb5")
        let layers = try zip(Self.layerDigests, Self.layerSizes).map {
            ImageDescriptor(mediaType: MediaType.layerTar, digest: try ImageDigest(hex: $0), size: $1)
        }
        let manifest = ImageManifest(
            config: ImageDescriptor(mediaType: MediaType.imageConfig, describing: config), layers: layers
        ).json.bytes
        #expect(manifest.count == 702)
        #expect(
            ImageDigest.sha256(of: manifest).description
                == "sha256:e88b6cb5426f7fffc900798ad68fea4c3d4f751856f8d6947cb9f8fa7fb558a3")
        let index = ImageIndex(manifests: [
            ImageDescriptor(
                mediaType: MediaType.imageManifest, describing: manifest,
                annotations: [AnnotationKey.referenceName: "latest"])
        ]).json.bytes
        #expect(ImageDigest.sha256(of: index).hex.hasPrefix("3efb7a6a"))
        #expect(ImageDigest.sha256(of: ImageIndex.layoutMarker.bytes).hex.hasPrefix("18f0797e"))
        #expect(String(decoding: ImageIndex.layoutMarker.bytes, as: UTF8.self) == #"{"imageLayoutVersion":"1.0.0"}"#)
    }

    @Test("the config writes every runtime setting under its OCI key and leaves absent ones out")
    func configurationKeys() throws {
        let digest = ImageDigest.sha256(of: Array("layer".utf8))
        let full = ImageConfiguration(
            architecture: "arm64", user: "1000:1000", environment: ["A=1"], entrypoint: ["/bin/sh"],
            command: ["-c", "true"], workingDirectory: "/work", exposedPorts: ["8080/tcp", "53/udp"],
            volumes: ["/data"],
            labels: ["k": "v"], stopSignal: "SIGTERM", diffIDs: [digest],
            history: [HistoryEntry(created: Self.created, emptyLayer: true)])
        let expected =
            #"{"architecture":"arm64","config":{"Cmd":["-c","true"],"Entrypoint":["/bin/sh"],"Env":["A=1"],"#
            + #""ExposedPorts":{"53/udp":{},"8080/tcp":{}},"Labels":{"k":"v"},"StopSignal":"SIGTERM","User":"1000:1000","#
            + #""Volumes":{"/data":{}},"#
            + #""WorkingDir":"/work"},"created":"1970-01-01T00:00:01Z","#
            + #""history":[{"created":"1970-01-01T00:00:01Z","empty_layer":true}],"os":"linux","#
            + #""rootfs":{"diff_ids":["\#(digest)"],"type":"layers"}}"#
        #expect(String(decoding: full.json.bytes, as: UTF8.self) == expected)
        let bare = ImageConfiguration(architecture: "amd64")
        #expect(
            String(decoding: bare.json.bytes, as: UTF8.self)
                == #"{"architecture":"amd64","config":{},"created":"1970-01-01T00:00:01Z","os":"linux","#
                + #""rootfs":{"diff_ids":[],"type":"layers"}}"#)
    }

    @Test("descriptors omit empty annotations; the docker-archive manifest is a one-element array")
    func descriptorsAndDockerManifest() {
        let descriptor = ImageDescriptor(mediaType: MediaType.layerTar, describing: [])
        #expect(
            String(decoding: descriptor.json.bytes, as: UTF8.self)
                == #"{"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","#
                + #""mediaType":"application/vnd.oci.image.layer.v1.tar","size":0}"#)
        let archive = DockerArchiveManifest(
            configPath: "c.json", repoTags: ["app:1"], layerPaths: ["a/layer.tar", "b.tar"])
        #expect(
            String(decoding: archive.json.bytes, as: UTF8.self)
                == #"[{"Config":"c.json","Layers":["a/layer.tar","b.tar"],"RepoTags":["app:1"]}]"#)
    }

    @Test("digests parse only as sha256 with 64 lowercase hex digits")
    func digestParsing() throws {
        let hex = String(repeating: "ab", count: 32)
        let digest = try ImageDigest(parsing: "sha256:" + hex)
        #expect(digest.hex == hex && digest.description == "sha256:" + hex)
        #expect(try ImageDigest(hex: hex) == digest)
        for bad in [
            "", hex, "sha256:" + hex.uppercased(), "sha256:" + hex.dropLast(), "sha512:" + hex, "sha256:" + hex + "0",
        ] {
            #expect(throws: ImageError.self) { try ImageDigest(parsing: bad) }
        }
        #expect(throws: ImageError.self) { try ImageDigest(hex: "g" + hex.dropFirst()) }
        let error = #expect(throws: ImageError.self) { try ImageDigest(parsing: "md5:00") }
        #expect(error?.description.contains("md5:00") == true)
        #expect(try ImageDigest(hex: String(repeating: "0", count: 64)) < digest)
    }
}
