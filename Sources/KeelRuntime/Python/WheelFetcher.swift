import KeelLinux
import Synchronization

/// Fetches pinned wheels into a cache keyed by SHA-256 (`CACHE/sha256-HEX/FILE`), as fixed-output
/// fetches: each is downloaded by the host's pip (`pip download NAME==VERSION --no-deps`, so
/// the user's index, mirrors, proxies and credentials apply) and kept only when its file name
/// and SHA-256 are the pinned ones.
///
/// A cached wheel is hashed again in full every time it is fetched: a file changed on disk is
/// never handed out. Such a file is removed and reported (the next fetch downloads it again).
public final class WheelFetcher: Sendable {
    /// The cache's directory (made when first needed).
    public let cacheDirectory: String
    /// How pip is run.
    public let pip: PipCommand
    /// The interpreter and platform the wheels are for.
    public let target: PipTarget
    private let downloadCount = Mutex(0)

    /// A fetcher keeping wheels under `cacheDirectory`, running `pip` for `target`.
    public init(cacheDirectory: String, pip: PipCommand = PipCommand(), target: PipTarget) {
        self.cacheDirectory = cacheDirectory
        self.pip = pip
        self.target = target
    }

    /// How many times this fetcher ran `pip download` (a fetch served from the cache counts
    /// nothing).
    public var downloads: Int { downloadCount.withLock { $0 } }

    /// Where the cache keeps the wheel `pin` names (whether it is there or not).
    public func cachedPath(for pin: WheelPin) -> String {
        "\(cacheDirectory)/sha256-\(pin.sha256)/\(pin.fileName)"
    }

    /// The path of the wheel `pin` names, checked against its SHA-256: the cached file when
    /// there is one, else downloaded by pip into the cache. Blocks the calling thread while pip
    /// runs.
    ///
    /// - Throws: `RuntimeError` when the pin is malformed; when the cached file's SHA-256 is not
    ///   the pinned one (the file is removed, the message names it and both hashes); when pip
    ///   fails (the message says why: the package or version is gone, the index is unreachable);
    ///   when pip's file is another one or its SHA-256 differs (the message names the file and
    ///   both hashes; nothing is kept).
    public func fetch(_ pin: WheelPin) throws(RuntimeError) -> String {
        let wheel = try Self.check(pin)
        let path = cachedPath(for: pin)
        if try Self.isPresent(path) {
            let actual = try FileDigest.sha256(ofFileAt: path)
            guard actual == pin.sha256 else {
                try? FileSystem.removeTree(Array("\(cacheDirectory)/sha256-\(pin.sha256)".utf8))
                throw RuntimeError(
                    "cached wheel '\(path)' has SHA-256 \(actual), not \(pin.sha256) as locked: it was corrupted "
                        + "and is removed (fetching again downloads it)")
            }
            return path
        }
        return try download(pin, wheel: wheel)
    }

    /// Downloads `pin` with pip into a temporary directory of the cache, checks it and keeps it.
    private func download(_ pin: WheelPin, wheel: WheelFileName) throws(RuntimeError) -> String {
        let work = try makeWorkDirectory(purpose: "fetch")
        defer { try? FileSystem.removeTree(Array(work.utf8)) }
        let destination = "\(work)/wheels"
        downloadCount.withLock { $0 += 1 }
        let arguments =
            ["download", pin.requirement, "--no-deps", "--only-binary", ":all:", "--progress-bar", "off"]
            + target.pipOptions(abis: wheel.abiTags, platforms: wheel.platformTags) + ["--dest", destination]
        let run = try pip.run(arguments, logFile: "\(work)/pip.log")
        guard run.succeeded else {
            throw PipFailure.error(of: run, action: "downloading \(pin.requirement)", target: target)
        }
        let files = try Self.fileNames(in: destination)
        guard files == [pin.fileName] else {
            let got = files.isEmpty ? "nothing" : files.map { "'\($0)'" }.joined(separator: ", ")
            throw RuntimeError(
                "pip downloaded \(got) for \(pin.requirement), not the locked '\(pin.fileName)'; nothing was kept")
        }
        let downloaded = "\(destination)/\(pin.fileName)"
        let actual = try FileDigest.sha256(ofFileAt: downloaded)
        guard actual == pin.sha256 else {
            throw RuntimeError(
                "wheel '\(pin.fileName)' has SHA-256 \(actual), but the lock says \(pin.sha256); nothing was kept")
        }
        return try keep(downloaded, as: pin)
    }
}
