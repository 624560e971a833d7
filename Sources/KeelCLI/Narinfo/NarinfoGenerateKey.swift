import ArgumentParser
import KeelFormats
import KeelLinux

/// `keel narinfo generate-key NAME SECRET-FILE PUBLIC-FILE`.
struct NarinfoGenerateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-key",
        abstract: "Create an Ed25519 signing key pair (what nix-store --generate-binary-cache-key does).",
        discussion: "The secret key file is created with mode 0600; neither file may exist already."
    )

    @Argument(help: "The key's name, written before every signature (for example cache.example.org-1).")
    var name: String

    @Argument(help: "Where to write the secret key.")
    var secretFile: String

    @Argument(help: "Where to write the public key.")
    var publicFile: String

    func run() throws {
        let key: SigningSecretKey
        do { key = try SigningSecretKey.generate(name: name) } catch { throw CLIError(error.description) }
        try write(key.text, to: secretFile, permissions: 0o600)
        try write(key.publicKey.text, to: publicFile, permissions: 0o644)
    }

    /// Creates `path` exclusively with `permissions` from the start, so a secret is never
    /// readable by others, even for a moment.
    private func write(_ text: String, to path: String, permissions: UInt32) throws {
        do {
            let fd = try FileSystem.createFile(
                Array(path.utf8), in: FileSystem.currentDirectory, permissions: permissions)
            defer { FileSystem.close(fd) }
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) }
        } catch let error as SystemError {
            throw CLIError(error.errno == 17 ? "'\(path)' already exists" : error.description)
        }
    }
}
