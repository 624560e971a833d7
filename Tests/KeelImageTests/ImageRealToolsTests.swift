import Foundation
import KeelTesting
import Testing

/// `keel image build` checked by the real tools (spec/oci-images.md §5): skopeo reads every
/// format and re-checks every blob, oci-image-tool validates the layout, umoci unpacks it
/// (checking diff_ids) into a root file system whose store paths are the store's byte for
/// byte, crun runs it, podman loads the archive with the config digest as its image ID.
@Suite(.timeLimit(.minutes(5)), .ownThreads)
struct ImageRealToolsTests {
    @Test func storePathImagePassesTheToolsAndRunsWithCrun() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let busybox = try fixture.addBusybox()
            let layout = fixture.work + "/image"
            let script = "echo hello from an image; id -u; pwd; exit 7"
            try fixture.keelSucceeding(
                ["image", "build", busybox, "-o", layout, "--tag", "example/busybox:1.0"] + fixture.storeArguments
                    + ["--entrypoint", busybox + "/bin/sh", "--entrypoint=-c", "--cmd", script])
            try ImageTools.checkLayout(layout, tag: "1.0", scratch: fixture.work)
            let inspected = try ImageTools.inspect("oci:\(layout):1.0")
            #expect((inspected["Layers"] as? [String])?.count == 2)
            #expect(inspected["Created"] as? String == "1970-01-01T00:00:01Z")

            let bundle = try ImageTools.unpack(layout, tag: "1.0", scratch: fixture.work)
            #expect(try ImageFixture.narHash(bundle + "/rootfs" + busybox) == ImageFixture.narHash(busybox))
            let run = try ImageTools.runBundle(bundle)
            #expect(run.status == 7)
            #expect(run.output == "hello from an image\n0\n/\n")
        }
    }

    @Test func randomTreesComeOutOfTheImageAsTheyAreInTheStore() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            var checked = 0
            // All trees in one `keel store add` (each named after its directory): fewer processes.
            let seeds = UInt64(1)...12
            for seed in seeds {
                var random = RandomTree(seed: seed)
                try random.make(at: fixture.work + "/tree-\(seed)")
            }
            let added = try fixture.keelSucceeding(
                ["store", "add"] + fixture.storeArguments + seeds.map { fixture.work + "/tree-\($0)" }
            ).split(separator: "\n").map(String.init)
            #expect(added.count == seeds.count)
            for (seed, path) in zip(seeds, added) {
                let layout = fixture.work + "/image-\(seed)"
                let result = try fixture.keel(["image", "build", path, "-o", layout] + fixture.storeArguments)
                if try Self.hasNonUTF8Name(path) {
                    // Layer tars carry UTF-8 names; such a path is refused by name, nothing written.
                    #expect(result.status == 1)
                    #expect(result.errorOutput.contains("UTF-8"))
                    #expect(!FileManager.default.fileExists(atPath: layout))
                    continue
                }
                #expect(result.status == 0, "\(result.errorOutput)")
                let name = "tree-\(seed)"
                let bundle = try ImageTools.unpack(layout, tag: "latest", scratch: fixture.work)
                #expect(try ImageFixture.narHash(bundle + "/rootfs" + path) == ImageFixture.narHash(path), "\(name)")
                try? FileManager.default.removeItem(atPath: bundle)
                checked += 1
            }
            #expect(checked >= 6)
        }
    }

    @Test func archivesLoadAsDockerAndOCIArchivesWithTheConfigDigestAsImageID() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let busybox = try fixture.addBusybox()
            for format in ["docker-archive", "oci-archive"] {
                let archive = fixture.work + "/image-\(format).tar"
                let output = try fixture.keelSucceeding(
                    [
                        "image", "build", busybox, "-o", archive, "--format", format, "--tag", "example/bb:\(format)",
                        "--json",
                    ]
                        + fixture.storeArguments + ["--entrypoint", busybox + "/bin/sh"])
                let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
                let configDigest = try #require(report?["config_digest"] as? String)
                let checked = try ImageTools.checkDockerArchive(archive, scratch: fixture.work)
                #expect(checked.repoTags == ["example/bb:\(format)"])
                #expect("sha256:" + ImageTools.sha256(checked.config) == configDigest)
                let asDocker = try ImageTools.inspect("docker-archive:\(archive)")
                let asOCI = try ImageTools.inspect("oci-archive:\(archive):\(format)")
                #expect((asDocker["Layers"] as? [String]) == (asOCI["Layers"] as? [String]))
                // skopeo re-reads every blob of both readings of the archive.
                try ImageTools.run(
                    "skopeo", ["copy", "-q", "docker-archive:\(archive)", "dir:\(fixture.work)/d-\(format)"])
                try ImageTools.run(
                    "skopeo", ["copy", "-q", "oci-archive:\(archive):\(format)", "dir:\(fixture.work)/o-\(format)"])
                let id = try ImageTools.podmanLoad(archive, name: "example/bb:\(format)")
                #expect("sha256:" + id == configDigest)
            }
        }
    }

    @Test func compressedLayersKeepTheDiffIDsAndUnpack() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let busybox = try fixture.addBusybox()
            var diffIDs: [String: [String]] = [:]
            for compression in ["none", "gzip", "zstd"] {
                let layout = fixture.work + "/image-\(compression)"
                try fixture.keelSucceeding(
                    ["image", "build", busybox, "-o", layout, "--compress", compression] + fixture.storeArguments)
                try ImageTools.checkLayout(
                    layout, tag: "latest", scratch: fixture.work, validateSchema: compression != "zstd")
                let config = try ImageTools.inspect("oci:\(layout):latest", config: true)
                diffIDs[compression] = (config["rootfs"] as? [String: Any])?["diff_ids"] as? [String]
                let manifest = try ImageTools.run("skopeo", ["inspect", "--raw", "oci:\(layout):latest"])
                let suffix = compression == "none" ? "tar\"" : "tar+\(compression)\""
                #expect(manifest.contains("application/vnd.oci.image.layer.v1." + suffix))
                if compression != "zstd" {
                    // umoci 0.4.7 (Debian 12) reads gzip but not zstd layers.
                    let bundle = try ImageTools.unpack(layout, tag: "latest", scratch: fixture.work)
                    #expect(try ImageFixture.narHash(bundle + "/rootfs" + busybox) == ImageFixture.narHash(busybox))
                }
            }
            #expect(diffIDs["none"] != nil)
            #expect(diffIDs["gzip"] == diffIDs["none"])
            #expect(diffIDs["zstd"] == diffIDs["none"])
        }
    }

    /// Whether any name under `path` is not valid UTF-8.
    static func hasNonUTF8Name(_ path: String) throws -> Bool {
        let output = try ProcessRunner.run("find", [path, "-print0"]).standardOutput
        return output.split(separator: 0).contains { String(validating: $0, as: UTF8.self) == nil }
    }
}
