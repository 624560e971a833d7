import ArgumentParser
import KeelCache
import KeelConfig
import KeelFormats
import KeelStore

/// `--substituters`, `--trusted-public-keys` and `--no-substitute`, for the commands that build
/// (`keel switch`, `keel build`): which binary caches are asked before a path is built.
struct SubstitutionOptions: ParsableArguments {
    @Option(
        name: .customLong("substituters"),
        help: ArgumentHelp(
            "A binary cache to ask before building (file:///DIR, http(s)://…); repeatable. Replaces keel.toml's.",
            valueName: "url"))
    var substituters: [String] = []

    @Option(
        name: .customLong("trusted-public-keys"),
        help: ArgumentHelp(
            "A key (NAME:BASE64) whose signatures are trusted; repeatable. Replaces keel.toml's.", valueName: "key"))
    var trustedPublicKeys: [String] = []

    @Flag(help: "Ask no binary cache: build everything that is missing here.")
    var noSubstitute = false

    func validate() throws {
        for url in Self.split(substituters) {
            if let problem = SubstituterURL.problem(url) { throw ValidationError("--substituters \(url): \(problem)") }
        }
        for key in Self.split(trustedPublicKeys) {
            do { _ = try SigningPublicKey(parsing: key) } catch {
                throw ValidationError("--trusted-public-keys \(key): \(error)")
            }
        }
    }

    /// The caches to ask for `store` (these options, else `host`'s), or nil when there are none.
    func substitution(host: HostSpec?, store: LocalStore, showProgress: Bool) throws -> CacheSubstitution? {
        if noSubstitute { return nil }
        let urls = substituters.isEmpty ? host?.substituters ?? [] : Self.split(substituters)
        guard !urls.isEmpty else { return nil }
        let keyTexts = trustedPublicKeys.isEmpty ? host?.trustedPublicKeys ?? [] : Self.split(trustedPublicKeys)
        var keys: [SigningPublicKey] = []
        for text in keyTexts {
            do { keys.append(try SigningPublicKey(parsing: text)) } catch {
                throw CLIError("trusted key \(text): \(error)")
            }
        }
        do {
            let substituter = try Substituter(
                urls: urls, storeDirectory: store.layout.storeDirectory, trustedKeys: keys)
            return CacheSubstitution(substituter: substituter, store: store, showProgress: showProgress)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Values given as repeated options or space-separated in one, as Nix takes them.
    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: " ").map(String.init) }
    }
}
