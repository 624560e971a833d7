import ArgumentParser

/// `keel narinfo`: sign and verify binary-cache narinfo files.
struct NarinfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "narinfo",
        abstract: "Sign and verify binary-cache .narinfo files with Nix's Ed25519 key files.",
        subcommands: [NarinfoVerify.self, NarinfoSign.self, NarinfoFingerprint.self, NarinfoGenerateKey.self]
    )
}
