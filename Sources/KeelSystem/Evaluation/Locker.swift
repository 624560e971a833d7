import Foundation
import KeelConfig
import KeelLinux
import KeelRuntime

/// Writes keel.lock's contents for a configuration: keeps what is still true of the old lock,
/// hashes host paths and `.drv` files as they are now, and downloads the fetches whose URL is new
/// (or whose recorded hashes are missing) to learn their hashes.
public struct Locker {
    /// The configuration.
    public let configuration: HostConfiguration
    /// Told about each download before it starts.
    public let progress: (String) -> Void
    /// Where pip's downloads are kept for the build that follows (`RuntimeCache.wheels`).
    public let wheelCache: String

    /// A locker for `configuration`, keeping downloaded wheels in `wheelCache`.
    public init(
        configuration: HostConfiguration, wheelCache: String = RuntimeCache.wheels,
        progress: @escaping (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.wheelCache = wheelCache
        self.progress = progress
    }

    /// The new lock, given the old one; inputs no longer declared are dropped.
    ///
    /// - Throws: `EvaluationError` naming the input that could not be read or downloaded, or whose
    ///   download does not match the hash keel.toml gives.
    public func lock(from old: LockFile) throws(EvaluationError) -> LockFile {
        var new = LockFile()
        for package in configuration.packages {
            switch package.kind {
            case .fetch(let fetch):
                if let locked = old.fetches[package.name], locked.url == fetch.url.value,
                    fetch.hash == nil || fetch.hash == locked.hash, !fetch.needsNARHash || locked.narHash != nil
                {
                    new.fetches[package.name] = locked
                    continue
                }
                progress("downloading \(fetch.url.value) to lock package '\(package.name)'")
                let scratch = try scratchDirectory()
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let fetched = try InputHashing.fetch(
                    fetch.url.value, unpack: fetch.unpack, executable: fetch.executable, in: scratch)
                if let declared = fetch.hash, declared != fetched.hash {
                    throw EvaluationError(
                        "package '\(package.name)': \(fetch.url.value) hashes to \(fetched.hash), but keel.toml says \(declared)"
                    )
                }
                new.fetches[package.name] = LockFile.Fetch(
                    url: fetch.url.value, hash: fetched.hash, narHash: fetched.narHash)
            case .nixDerivation(let drv):
                new.derivations[package.name] = LockFile.DerivationFile(
                    path: drv.path.value, hash: try InputHashing.file(drv.resolvedPath))
            case .source, .derivation, .debian, .python:
                continue
            }
        }
        new.runtimes = try RuntimeLocker(configuration: configuration, progress: progress, wheelCache: wheelCache)
            .lock(from: old.runtimes)
        for agent in configuration.agents {
            for path in agent.hostPaths where new.hostPaths[path.value] == nil {
                new.hostPaths[path.value] = try InputHashing.hostPath(path.value)
            }
        }
        return new
    }

    private func scratchDirectory() throws(EvaluationError) -> String {
        do { return try FileSystem.makeTemporaryDirectory(in: NSTemporaryDirectory(), prefix: "keel-lock") } catch {
            throw EvaluationError("cannot create a temporary directory: \(error.reason)")
        }
    }
}
