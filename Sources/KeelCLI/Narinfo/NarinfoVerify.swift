import ArgumentParser
import KeelFormats

/// `keel narinfo verify FILE --key PUBLIC-KEY-FILE`.
struct NarinfoVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Exit 0 when a signature in a narinfo verifies with the public key, 1 otherwise.",
        discussion: """
            The signed text is Nix's fingerprint: 1;PATH;sha256:NARHASH;NARSIZE;REFERENCES. \
            Only signatures whose key name matches the key's are checked. One line on stdout \
            names the valid signature's key, or says that none verified.
            """
    )

    @Argument(help: "The .narinfo file.")
    var file: String

    @Option(help: "The public key file (name:base64, as nix-store --generate-binary-cache-key writes).")
    var key: String

    func run() throws {
        let info = try TextFile.narinfo(file)
        let publicKey: SigningPublicKey
        do { publicKey = try SigningPublicKey(parsing: try TextFile.read(key)) } catch let error as SigningKeyError {
            throw CLIError("\(key): \(error)")
        }
        let valid = try info.validSignatures(for: publicKey)
        if valid.isEmpty {
            print("no valid signature by '\(publicKey.name)' (\(info.signatures.count) signature(s) checked)")
            throw SilentExit(.failure)
        }
        print("valid signature by '\(publicKey.name)'")
    }
}
