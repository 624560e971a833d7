import ArgumentParser

/// `keel copy`: closures from a binary cache into the local store, or between Keel hosts over SSH.
struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy closures from a binary cache, or to and from another Keel host over SSH.",
        discussion: """
            --from file://DIR or http(s)://HOST/…: fetch the closures of PATHS from a Nix binary \
            cache, as `nix copy --from` does. Every narinfo must carry a signature from a key given \
            with --trusted-public-keys, and every NAR must hash to its NarHash; nothing unverified \
            is registered, and a path is registered only with its whole closure.

            --to ssh://[USER@]HOST[:PORT] (PATHS, --generation N or -f keel.toml) and --from \
            ssh://…: copy closures through the system's OpenSSH client (your ssh config, keys, \
            agent and known_hosts apply), with `keel` on the far side; only missing paths are sent, \
            and the receiving side imports them all or nothing.

            Exit status: 0 when everything asked for is in the destination, 1 when something could \
            not be copied (one line on stderr says what and why), 2 on a usage error.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Copy from this cache or host: file://DIR, http(s)://…, ssh://…", valueName: "url"))
    var from: String?

    @Option(help: ArgumentHelp("Copy to this host: ssh://[USER@]HOST[:PORT].", valueName: "url"))
    var to: String?

    @OptionGroup var selection: ClosureSelection

    @Option(
        name: .customLong("trusted-public-keys"),
        help: ArgumentHelp("A public key (NAME:BASE64) whose signatures are trusted; repeatable.", valueName: "key"))
    var trustedPublicKeys: [String] = []

    @Option(help: "How many downloads run at once.")
    var jobs: Int = 8

    @Option(help: ArgumentHelp("Give up on a cache that does not answer within this many seconds.", valueName: "s"))
    var timeout: Double = 30

    @Option(help: ArgumentHelp("The keel program on the far side of ssh://.", valueName: "path"))
    var remoteKeel: String = "keel"

    @Option(help: ArgumentHelp("The state root on the far side of ssh://.", valueName: "dir"))
    var remoteRoot: String?

    @Option(help: ArgumentHelp("The store directory on the far side of ssh://.", valueName: "dir"))
    var remoteStoreDir: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        switch (from, to) {
        case (nil, nil): throw ValidationError("give --from URL or --to URL")
        case (.some, .some): throw ValidationError("give --from or --to, not both")
        default: break
        }
        if let to, !to.hasPrefix("ssh://") {
            throw ValidationError("--to takes an ssh:// URL (write a binary cache with `keel cache push`)")
        }
        if from != nil && (selection.generation != nil || selection.file != nil) {
            throw ValidationError("--generation and -f name local systems: use them with --to")
        }
        if selection.isEmpty { throw ValidationError("name what to copy: store paths, --generation N or -f keel.toml") }
        if !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        if let to {
            try CopyOverSSH.push(self, to: to)
        } else if let from, from.hasPrefix("ssh://") {
            try CopyOverSSH.pull(self, from: from)
        } else if let from {
            try CopyFromCache.run(self, from: from)
        }
    }
}
