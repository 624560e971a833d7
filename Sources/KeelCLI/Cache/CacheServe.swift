import ArgumentParser
import KeelCache
import KeelFormats
import KeelLinux

/// `keel cache serve DIR|--store [--listen HOST:PORT] [--key SECRET-KEY-FILE] [--compression …]`.
struct CacheServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a binary cache directory, or the local store, over HTTP (foreground).",
        discussion: """
            Serves a Nix binary cache that `nix copy --from http://HOST:PORT`, `nix-build \
            --substituters http://HOST:PORT` and `keel copy --from` read, read-only, until \
            SIGTERM or SIGINT (then it exits 0, once responses in flight have ended).

            keel cache serve DIR serves a cache directory as `keel cache push` or `nix copy \
            --to file://DIR` wrote it (DIR must hold nix-cache-info): its narinfos are served as \
            they are, so they carry the signatures they were written with. Requests may use \
            HEAD, Range (206, 416) and If-None-Match (304). Only regular files under DIR are \
            served: no hidden files, no `..`, and no symlinks anywhere on the way.

            keel cache serve --store serves the local store itself (--root, --store-dir), as \
            harmonia and nix-serve do: narinfos are made from the store's database and signed \
            with --key (a key from `keel narinfo generate-key` or `nix-store \
            --generate-binary-cache-key`; clients list its public key in trusted-public-keys), \
            and each NAR is dumped from the store and compressed with --compression as it is \
            sent (default none: loopback and LAN copies are faster uncompressed). A NAR's URL \
            names the path's hash and NAR hash; its ETag is the NAR hash. nix-cache-info \
            announces WantMassQuery and Priority 30.

            --listen HOST:PORT (default 127.0.0.1:5000; [IPv6]:PORT; port 0 picks a free \
            port). Once listening, prints one line `serving … on http://HOST:PORT` on stdout. \
            Exit status: 0 after SIGTERM or SIGINT; 1 when DIR is not a cache, the key file is \
            bad, or the address cannot be listened on; 2 for usage errors.
            """
    )

    @Argument(help: "The cache directory to serve (or file://DIR); leave out with --store.")
    var directory: String?

    @Flag(help: "Serve the local store (--root, --store-dir) instead of a directory.")
    var store = false

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Where to listen, HOST:PORT ([IPv6]:PORT; port 0 picks a free port).")
    var listen = "127.0.0.1:5000"

    @Option(help: "With --store: the secret key file that signs the narinfos (name:base64).")
    var key: String?

    @Option(help: "With --store: how NARs are compressed as they are sent: none (default), xz or zstd.")
    var compression: String?

    func validate() throws {
        if store == (directory != nil) {
            throw ValidationError("give a cache directory or --store, not both or neither")
        }
        if !store {
            if key != nil {
                throw ValidationError("--key applies to --store: a directory's narinfos are served as they were signed")
            }
            if compression != nil {
                throw ValidationError("--compression applies to --store: a directory's NARs are served as they are")
            }
            if storeOptions.root != nil || storeOptions.storeDir != nil {
                throw ValidationError("--root and --store-dir apply to --store")
            }
        }
        if let compression, CacheCompression(rawValue: compression) == nil {
            throw ValidationError("unknown compression '\(compression)': use none, xz or zstd")
        }
        do { _ = try CacheServerAddress(parsing: listen) } catch { throw ValidationError(error.message) }
    }

    func run() throws {
        let address: CacheServerAddress
        do { address = try CacheServerAddress(parsing: listen) } catch { throw CLIError(error.message) }
        let server: CacheServer
        let what: String
        if let directory {
            let path = directory.hasPrefix("file://") ? String(directory.dropFirst("file://".count)) : directory
            do { server = try CacheServer(directory: path, address: address) } catch { throw CLIError(error.message) }
            what = "cache directory \(path)"
        } else {
            let signingKey = try key.map(Self.readKey)
            let local = try storeOptions.open()
            let compression = compression.flatMap(CacheCompression.init(rawValue:)) ?? CacheCompression.none
            server = CacheServer(store: local, key: signingKey, compression: compression, address: address)
            what = "store \(local.layout.storeDirectory.path)"
        }
        do {
            try AsyncBridge.wait {
                try await server.run { listening in
                    print("serving \(what) on http://\(listening)")
                    StandardStreams.flushAll()
                }
            }
        } catch let error as CacheError {
            throw CLIError(error.message)
        } catch {
            throw CLIError("cannot serve on \(address): \(error)")
        }
    }

    /// The secret key in `path`.
    private static func readKey(_ path: String) throws -> SigningSecretKey {
        do { return try SigningSecretKey(parsing: try TextFile.read(path)) } catch let error as SigningKeyError {
            throw CLIError("\(path): \(error)")
        }
    }
}
