import Foundation
import KeelLinux
import Synchronization

/// Downloads pinned .debs with the host's own `apt-get download NAME=VERSION`, so the host's
/// apt sources, mirrors, proxies and credentials apply and no archive address is written into
/// Keel or keel.lock; each file is checked against its pinned SHA-256 before anyone uses it, and
/// kept in a cache by that hash (`CACHE/sha256-HEX/FILE`), so it is downloaded once per host.
public final class DebFetcher: Sendable {
    /// The program run for a download (tests point it at a stand-in).
    public let aptGet: String
    /// The cache directory (nil: no cache).
    public let cacheDirectory: String?
    private let downloadCount = Atomic<Int>(0)

    /// A fetcher running `aptGet` (default: `apt-get` from PATH), caching in `cacheDirectory`
    /// (default `RuntimeCache.debs`).
    public init(aptGet: String = "apt-get", cacheDirectory: String? = RuntimeCache.debs) {
        self.aptGet = aptGet
        self.cacheDirectory = cacheDirectory
    }

    /// How many downloads ran (a build that finds every .deb in the store runs none).
    public var downloads: Int { downloadCount.load(ordering: .relaxed) }

    /// Downloads the .deb `name` `version` for `architecture` into the empty directory
    /// `directory` and returns its path, once its SHA-256 is `sha256` (hex).
    ///
    /// - Throws: `RuntimeError` naming the package when apt-get fails (its last lines quoted), or
    ///   the file and both hashes when the download is not the pinned file (it is deleted).
    public func fetch(name: String, version: String, architecture: String, sha256: String, into directory: String)
        throws(RuntimeError) -> String
    {
        let cached = cacheDirectory.map { "\($0)/sha256-\(sha256)" }
        if let cached, let file = (try? FileManager.default.contentsOfDirectory(atPath: cached))?.first {
            let path = cached + "/" + file
            let actual = try FileDigest.sha256(ofFileAt: path)
            guard actual == sha256 else {
                // Removed, so the next build downloads it again; this one stops here.
                try? FileManager.default.removeItem(atPath: cached)
                throw RuntimeError(
                    "the cached \(file) is damaged: its SHA-256 is \(actual), not \(sha256) as keel.lock pins; it was "
                        + "removed from the cache and nothing was registered (build again to download it)")
            }
            let copy = directory + "/" + file
            if Foundation.link(path, copy) == 0 { return copy }
            if (try? FileManager.default.copyItem(atPath: path, toPath: copy)) != nil { return copy }
        }
        let path = try download(
            name: name, version: version, architecture: architecture, sha256: sha256, into: directory)
        if let cached { keep(path, in: cached) }
        return path
    }

    /// Puts a verified download into the cache (best effort: a full disk only costs a download).
    private func keep(_ path: String, in cached: String) {
        let manager = FileManager.default
        let staging = cached + ".tmp-\(getpid())"
        try? manager.removeItem(atPath: staging)
        guard (try? manager.createDirectory(atPath: staging, withIntermediateDirectories: true)) != nil else { return }
        let target = staging + "/" + (path.split(separator: "/").last.map(String.init) ?? "package.deb")
        if Foundation.link(path, target) != 0, (try? manager.copyItem(atPath: path, toPath: target)) == nil {
            try? manager.removeItem(atPath: staging)
            return
        }
        if rename(staging, cached) != 0 { try? manager.removeItem(atPath: staging) }
    }

    private func download(name: String, version: String, architecture: String, sha256: String, into directory: String)
        throws(RuntimeError) -> String
    {
        let target = architecture == "all" ? "\(name)=\(version)" : "\(name):\(architecture)=\(version)"
        var arguments = ["download", "-q", target]
        // As root, apt drops to its _apt user to download, which cannot write our directory.
        if geteuid() == 0 { arguments = ["-o", "APT::Sandbox::User=root"] + arguments }
        downloadCount.add(1, ordering: .relaxed)
        let outcome = try HostCommand(aptGet, arguments).run(in: directory)
        guard outcome.succeeded else {
            throw RuntimeError(
                "apt-get download \(target) failed (\(outcome.termination)): \(outcome.lastLines()); is the "
                    + "version still in the host's apt sources (apt-get update)?")
        }
        let debs = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".deb")
        }
        guard debs.count == 1, let file = debs.first else {
            throw RuntimeError("apt-get download \(target) left \(debs.count) .deb files in \(directory), not one")
        }
        let path = directory + "/" + file
        let actual = try FileDigest.sha256(ofFileAt: path)
        guard actual == sha256 else {
            try? FileManager.default.removeItem(atPath: path)
            throw RuntimeError(
                "\(file) from apt-get download \(target) has SHA-256 \(actual), but keel.lock pins \(sha256); the file "
                    + "was deleted and nothing was registered (run keel lock if the archive changed the package)")
        }
        return path
    }
}
