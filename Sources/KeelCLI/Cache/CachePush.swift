import ArgumentParser
import Foundation
import KeelCache
import KeelFormats
import KeelStore

/// `keel cache push DEST PATHS… | --generation N | -f keel.toml`: writes closures to a binary
/// cache directory in Nix's layout.
struct CachePush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Write closures to a binary cache directory (nix-cache-info, narinfo, nar/).",
        discussion: """
            DEST is a directory or file://DIR, created when missing. The closures of the store \
            paths given (or of generation N, or of the system -f keel.toml describes, realised \
            first) are written in Nix's binary cache layout, as `nix copy --to file://DIR` does: \
            nix-cache-info, nar/<filehash>.nar[.xz|.zst] and <hash>.narinfo; nix, Keel, nginx or \
            `keel cache serve DIR` can then serve or read it. With the same compression and key, \
            the files are byte for byte those nix writes (xz as Nix's default sink: preset 6, CRC64, \
            single threaded).

            Paths whose narinfo DEST already has are skipped. Each file is written under a \
            temporary name and renamed into place, a NAR before its narinfo and a narinfo after \
            those of its references, so a reader never sees half a file or an incomplete closure. \
            Nothing in DEST is replaced or removed. A cache made for another store directory is \
            refused. Each NAR is checked against the store's NarHash on the way; a mismatch stops \
            the push naming the damaged path.

            --key SECRET-KEY-FILE signs every narinfo written (a key from `keel narinfo \
            generate-key` or `nix-store --generate-binary-cache-key`); readers trusting its public \
            key accept the paths. Paths are written --jobs at a time (default: one per processor), \
            largest first.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The cache: a directory or file://DIR (created when missing).")
    var destination: String

    @OptionGroup var selection: ClosureSelection

    @Option(help: "The secret key file that signs the narinfos (name:base64).")
    var key: String?

    @Option(help: "How NARs are compressed: none, xz (Nix's default) or zstd.")
    var compression: CacheCompression = .xz

    @Option(help: "How many paths are written at once (default: one per processor).")
    var jobs: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if selection.isEmpty { throw ValidationError("give store paths, --generation N or -f keel.toml to push") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try directory()
    }

    func run() throws {
        let signingKey = try key.map(Self.readKey)
        let local = try store.open()
        let collectionLock = try storeOperation { try local.lockAgainstCollection() }
        defer { withExtendedLifetime(collectionLock) {} }
        let roots = try selection.roots(in: local)
        let writer = CacheWriter(
            store: local, directory: try directory(),
            options: CachePushOptions(
                compression: compression, signingKey: signingKey,
                jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount))
        let progress = TransferProgressLine(enabled: !json && isatty(STDERR_FILENO) == 1, verb: "pushed")
        let result: CachePushResult
        do { result = try writer.push(roots, progress: progress.report) } catch {
            progress.clear()
            throw CLIError(error.description)
        }
        progress.clear()
        if json {
            print(try JSONOutput.render(CachePushSummary(result, in: local)))
        } else {
            print(
                "pushed \(result.written.count) paths (\(ByteCount(result.narBytes)) NAR, "
                    + "\(ByteCount(result.fileBytes)) written), \(result.skipped.count) already in the cache")
        }
    }

    /// DEST as a directory path: `file://DIR` or a plain path.
    private func directory() throws -> String {
        if destination.hasPrefix("file://") {
            let path = String(destination.dropFirst("file://".count))
            guard !path.isEmpty, !path.contains("?") else {
                throw ValidationError("'\(destination)' is not file://DIR (a directory, without parameters)")
            }
            return path
        }
        if destination.contains("://") {
            throw ValidationError("'\(destination)' is not a directory or file://DIR: push writes local directories")
        }
        return destination
    }

    /// The secret key in `path`.
    private static func readKey(_ path: String) throws -> SigningSecretKey {
        do { return try SigningSecretKey(parsing: try TextFile.read(path)) } catch let error as SigningKeyError {
            throw CLIError("\(path): \(error)")
        }
    }
}
