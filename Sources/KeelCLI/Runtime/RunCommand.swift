import ArgumentParser

/// `keel run PACKAGE [--] PROGRAM [ARGS…]`: runs a program from a runtime package, in the view an
/// agent using that runtime gets, for trying a runtime by hand (as `nix run` does).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a program from a runtime package of keel.toml, in the runtime's own file-system view.",
        discussion: """
            Builds the package (as keel.lock pins it; run keel lock first) and runs PROGRAM in its \
            view: the runtime's /usr, /bin, /lib and /etc read-only, nothing of the host's, the \
            current directory read-write at its own path, the host's network. PROGRAM is a name on \
            the view's PATH (/usr/local/bin:/usr/bin:/bin…) or an absolute path inside the view.
            Example: keel run py -- python3.11 -c 'import ssl; print(ssl.OPENSSL_VERSION)'
            Exit status: the program's (128 + N when signal N ended it); 1 when keel cannot run it.
            """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    @Argument(help: "The runtime package (debian = [...] or python = \"…\" in keel.toml).")
    var package: String

    @Argument(parsing: .captureForPassthrough, help: "The program and its arguments.")
    var arguments: [String] = []

    func run() throws {
        var argv = arguments
        if argv.first == "--" { argv.removeFirst() }
        guard !argv.isEmpty else {
            throw ValidationError("name the program to run, e.g. keel run \(package) -- python3.11")
        }
        try RuntimeLaunch(config: config, store: store, package: package).run(argv)
    }
}
