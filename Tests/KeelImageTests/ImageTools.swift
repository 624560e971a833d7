import Foundation
import KeelArchive
import KeelFormats
import KeelTesting
import Testing

/// The real tools that read and run OCI images on this machine (spec/oci-images.md §5):
/// skopeo, oci-image-tool, umoci, crun and podman, each run as a process.
enum ImageTools {
    /// Runs `tool`, expecting success; returns its stdout.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], directory: String? = nil) throws -> String {
        let result = try ProcessRunner.run(tool, arguments, directory: directory)
        guard result.status == 0 else {
            throw ImageToolFailure(
                "\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(result.errorOutput.suffix(2000))"
            )
        }
        return result.output
    }

    /// `skopeo inspect` of `reference` (`oci:DIR:TAG`, `docker-archive:FILE`…), decoded.
    static func inspect(_ reference: String, config: Bool = false) throws -> [String: Any] {
        let text = try run("skopeo", ["inspect"] + (config ? ["--config"] : []) + [reference])
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// The OCI checks of a layout: skopeo reads index, manifest and config, re-reads every blob
    /// into a `dir:` copy (digests and sizes), and oci-image-tool validates the schema.
    ///
    /// oci-image-tool 1.0.0-rc1 predates the zstd layer media type: `validateSchema: false`
    /// leaves it out for zstd images.
    static func checkLayout(_ layout: String, tag: String, scratch: String, validateSchema: Bool = true) throws {
        _ = try inspect("oci:\(layout):\(tag)")
        try run("skopeo", ["copy", "-q", "oci:\(layout):\(tag)", "dir:\(scratch)/skopeo-dir-\(UUID().uuidString)"])
        if validateSchema {
            try run("oci-image-tool", ["validate", "--type", "image", "--ref", "name=\(tag)", layout])
        }
    }

    /// `umoci unpack` (which checks every layer's diff_id) into a new bundle under `scratch`;
    /// returns the bundle's path.
    static func unpack(_ layout: String, tag: String, scratch: String) throws -> String {
        let bundle = scratch + "/bundle-" + UUID().uuidString
        try run("umoci", ["unpack", "--image", "\(layout):\(tag)", bundle])
        return bundle
    }

    /// Runs an unpacked bundle with crun (without a terminal, in a mount namespace of its own
    /// where the hybrid cgroup2 mount is out of the way, as the spec's §5.6 does); `arguments`
    /// replace the image's command when given. Returns crun's exit status and stdout.
    static func runBundle(_ bundle: String, arguments: [String]? = nil) throws -> (status: Int32, output: String) {
        let configPath = bundle + "/config.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: configPath))
        guard var config = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var process = config["process"] as? [String: Any]
        else { throw ImageToolFailure("\(configPath) is not a runtime config") }
        process["terminal"] = false
        if let arguments { process["args"] = arguments }
        config["process"] = process
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let id = "keel-test-" + UUID().uuidString.prefix(12).lowercased()
        let script =
            "if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; "
            + "exec crun --cgroup-manager=disabled run --bundle '\(bundle)' \(id) </dev/null"
        defer { _ = try? ProcessRunner.run("crun", ["delete", "-f", id]) }
        let result = try ProcessRunner.run("unshare", ["--mount", "--propagation", "private", "sh", "-c", script])
        return (result.status, result.output)
    }

    /// The checks `docker load` makes of a docker-archive, done here since no Docker engine
    /// runs on this machine: manifest.json's config is named by its digest, and each layer's
    /// uncompressed bytes hash to the config's diff_id at the same position.
    static func checkDockerArchive(_ archive: String, scratch: String) throws -> (repoTags: [String], config: [UInt8]) {
        let directory = scratch + "/extracted-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run("tar", ["-xf", archive, "-C", directory])
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))
        guard let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]],
            let image = manifest.first, let configPath = image["Config"] as? String,
            let layers = image["Layers"] as? [String]
        else { throw ImageToolFailure("manifest.json is not a docker-archive manifest") }
        let config = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + configPath)))
        let configHex = sha256(config)
        guard configPath.hasSuffix(configHex) else { throw ImageToolFailure("config \(configPath) is not its digest") }
        guard let parsed = try JSONSerialization.jsonObject(with: Data(config)) as? [String: Any],
            let rootfs = parsed["rootfs"] as? [String: Any], let diffIDs = rootfs["diff_ids"] as? [String]
        else { throw ImageToolFailure("config has no rootfs.diff_ids") }
        guard diffIDs.count == layers.count else { throw ImageToolFailure("layer count != diff_id count") }
        for (layer, diffID) in zip(layers, diffIDs) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + layer)))
            let uncompressed = try decompressed(bytes)
            guard "sha256:" + sha256(uncompressed) == diffID else {
                throw ImageToolFailure("diff_id mismatch for \(layer)")
            }
        }
        return (image["RepoTags"] as? [String] ?? [], config)
    }

    /// `podman load` of an archive into a private store under `scratch`; returns the image ID
    /// podman gives the loaded image named `name`.
    /// The store lives in a short directory of /tmp: podman refuses a run root longer than
    /// 50 characters.
    static func podmanLoad(_ archive: String, name: String) throws -> String {
        let storage = "/tmp/kp-" + UUID().uuidString.prefix(8).lowercased()
        let options = [
            "--root", storage + "/root", "--runroot", storage + "/run", "--storage-driver", "vfs",
            "--cgroup-manager", "cgroupfs", "--events-backend", "file",
        ]
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try run("podman", options + ["load", "-i", archive])
        return try run("podman", options + ["image", "inspect", name, "--format", "{{.Id}}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The lowercase hex SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = StreamingHasher(.sha256)
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().base16
    }

    /// `bytes`, gunzipped or unzstd'ed when they start like a gzip or zstd stream.
    static func decompressed(_ bytes: [UInt8]) throws -> [UInt8] {
        let tool: String? =
            bytes.starts(with: [0x1f, 0x8b]) ? "gzip" : bytes.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) ? "zstd" : nil
        guard let tool else { return bytes }
        let result = try ProcessRunner.run(tool, ["-dc"], input: bytes)
        guard result.status == 0 else { throw ImageToolFailure("\(tool) -dc failed: \(result.errorOutput)") }
        return result.standardOutput
    }
}

/// A tool that failed, with what it said.
struct ImageToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
