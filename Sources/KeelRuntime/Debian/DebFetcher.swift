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

    /// How many `apt-get download` runs there were (a build that finds every .deb in the store
    /// or the cache runs none).
    public var downloads: Int { downloadCount.load(ordering: .relaxed) }

    /// The cached file of `sha256` linked (or copied) into `directory`, nil when the cache
    /// does not have it.
    ///
    /// - Throws: `RuntimeError` when the cached file is damaged (it is removed from the cache).
    private func cachedCopy(of sha256: String, into directory: String) throws(RuntimeError) -> String? {
        guard let cached = cacheDirectory.map({ "\($0)/sha256-\(sha256)" }),
            let file = (try? FileManager.default.contentsOfDirectory(atPath: cached))?.first
        else { return nil }
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
        return nil
    }

    /// One pinned .deb: what `fetchAll` downloads.
    public struct Pin: Sendable, Hashable {
        /// The package name.
        public let name: String
        /// Its exact version.
        public let version: String
        /// Its architecture (`all` for architecture-independent packages).
        public let architecture: String
        /// The SHA-256 (hex) keel.lock pins for its file.
        public let sha256: String

        /// A pin of `name` `version` for `architecture` whose file hashes to `sha256`.
        public init(name: String, version: String, architecture: String, sha256: String) {
            self.name = name
            self.version = version
            self.architecture = architecture
            self.sha256 = sha256
        }

        /// The argument `apt-get download` takes for it.
        var aptTarget: String { architecture == "all" ? "\(name)=\(version)" : "\(name):\(architecture)=\(version)" }
    }

    /// Fetches every pin into `directory` (empty; a subdirectory per pin) and returns each
    /// file's path by its SHA-256. Those not in the cache are downloaded by one `apt-get
    /// download` run (apt's start-up, ~1 s of CPU, is paid once rather than per package);
    /// whatever that run did not deliver as pinned is fetched alone, which names the package
    /// and both hashes when it fails.
    ///
    /// - Throws: `RuntimeError` as `fetch` does, for the first pin that cannot be fetched.
    public func fetchAll(_ pins: [Pin], into directory: String) throws(RuntimeError) -> [String: String] {
        var fetched: [String: String] = [:]
        var missing: [Pin] = []
        for pin in pins where fetched[pin.sha256] == nil {
            let own = try subdirectory(directory, pin)
            if let path = try cachedCopy(of: pin.sha256, into: own) {
                fetched[pin.sha256] = path
            } else {
                missing.append(pin)
            }
        }
        if missing.count > 1 {
            for (sha256, path) in downloadTogether(missing, into: directory) where fetched[sha256] == nil {
                fetched[sha256] = path
            }
        }
        for pin in missing where fetched[pin.sha256] == nil {
            let path = try download(pin, into: try subdirectory(directory, pin))
            if let cacheDirectory { keep(path, in: "\(cacheDirectory)/sha256-\(pin.sha256)") }
            fetched[pin.sha256] = path
        }
        return fetched
    }

    /// One `apt-get download` of every pin into `directory/together`: the files that hash as
    /// pinned, by hash (kept in the cache). Best effort: a failed run delivers nothing.
    private func downloadTogether(_ pins: [Pin], into directory: String) -> [String: String] {
        let together = directory + "/together"
        guard (try? FileSystem.makeDirectories(together)) != nil else { return [:] }
        downloadCount.add(1, ordering: .relaxed)
        guard let outcome = try? HostCommand(aptGet, aptArguments(pins.map(\.aptTarget))).run(in: together),
            outcome.succeeded
        else { return [:] }
        let wanted = Set(pins.map(\.sha256))
        var delivered: [String: String] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: together)) ?? [] where file.hasSuffix(".deb")
        {
            let path = together + "/" + file
            guard let actual = try? FileDigest.sha256(ofFileAt: path), wanted.contains(actual) else { continue }
            delivered[actual] = path
            if let cacheDirectory { keep(path, in: "\(cacheDirectory)/sha256-\(actual)") }
        }
        return delivered
    }

    /// A fresh directory under `directory` for `pin`'s file.
    private func subdirectory(_ directory: String, _ pin: Pin) throws(RuntimeError) -> String {
        let path = directory + "/sha256-" + pin.sha256
        do { try FileSystem.makeDirectories(path) } catch {
            throw RuntimeError("cannot create \(path): \(error)")
        }
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

    /// Downloads `pin` alone with its own apt-get run into the empty directory `directory` and
    /// returns its path, once its SHA-256 is the pinned one.
    ///
    /// - Throws: `RuntimeError` naming the package when apt-get fails (its last lines quoted), or
    ///   the file and both hashes when the download is not the pinned file (it is deleted).
    private func download(_ pin: Pin, into directory: String) throws(RuntimeError) -> String {
        let target = pin.aptTarget
        let sha256 = pin.sha256
        downloadCount.add(1, ordering: .relaxed)
        let outcome = try HostCommand(aptGet, aptArguments([target])).run(in: directory)
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

    /// `apt-get download` of `targets`.
    private func aptArguments(_ targets: [String]) -> [String] {
        // As root, apt drops to its _apt user to download, which cannot write our directory.
        (geteuid() == 0 ? ["-o", "APT::Sandbox::User=root"] : []) + ["download", "-q"] + targets
    }
}
