import Foundation
import KeelFileTree
import KeelImage
import KeelLinux
import KeelTesting

/// A temporary directory for image tests: a Keel root and store directory driven through the
/// real `keel` binary, a layer cache of its own, and scratch space for outputs and the tools.
///
/// ```
/// TMP/root/     the state root (--root)
/// TMP/store/    the store directory (--store-dir)
/// TMP/cache/    KEEL_CACHE_DIR (the layer cache is TMP/cache/images)
/// TMP: work     trees to add, outputs, bundles
/// ```
struct ImageFixture {
    let temporary: TemporaryDirectory
    let root: String
    let storeDirectory: String
    let cache: String
    let work: String

    init(prefix: String = "keel-image") throws {
        temporary = try TemporaryDirectory(prefix: prefix)
        root = temporary.appending("root")
        storeDirectory = temporary.appending("store")
        cache = temporary.appending("cache")
        work = temporary.appending("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    /// Removes everything.
    func remove() { temporary.remove() }

    /// `--root ROOT --store-dir STORE`.
    var storeArguments: [String] { ["--root", root, "--store-dir", storeDirectory] }

    /// Runs `keel` with this fixture's cache directory.
    func keel(_ arguments: [String], directory: String? = nil) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["KEEL_CACHE_DIR"] = cache
        return try ProcessRunner.run(KeelBinary.path, arguments, environment: environment, directory: directory)
    }

    /// Runs `keel`, expecting success; returns stdout.
    @discardableResult
    func keelSucceeding(_ arguments: [String], directory: String? = nil) throws -> String {
        let result = try keel(arguments, directory: directory)
        guard result.status == 0 else {
            throw ImageToolFailure(
                "keel \(arguments.joined(separator: " ")) exited \(result.status): \(result.errorOutput)")
        }
        return result.output
    }

    /// Adds the tree at `path` to the store as `name`; returns its store path.
    func add(_ path: String, name: String) throws -> String {
        try keelSucceeding(["store", "add"] + storeArguments + ["--name", name, path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A tree holding this host's static busybox as `bin/busybox` and `bin/sh -> busybox`, in
    /// the store.
    func addBusybox() throws -> String {
        let tree = work + "/busybox-tree-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: tree + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.busybox, toPath: tree + "/bin/busybox")
        try FileManager.default.createSymbolicLink(atPath: tree + "/bin/sh", withDestinationPath: "busybox")
        return try add(tree, name: "busybox")
    }

    /// The host's static busybox (Debian's busybox-static, which scripts/test.sh installs).
    static var busybox: String {
        for candidate in ["/bin/busybox", "/usr/bin/busybox"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/bin/busybox"
    }

    /// The NAR hash (`sha256-…` SRI) of the tree at `path`.
    static func narHash(_ path: String) throws -> String {
        try TreeDumper.hash(path: path).hash.description
    }

    /// Every regular file under `directory`, by path relative to it, with its bytes.
    static func files(in directory: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return files }
        while let relative = enumerator.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return files
    }
}
