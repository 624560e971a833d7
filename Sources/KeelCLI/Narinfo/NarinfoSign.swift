import ArgumentParser
import KeelFormats

/// `keel narinfo sign FILE --key SECRET-KEY-FILE`.
struct NarinfoSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print a narinfo with a signature by the secret key added.",
        discussion: """
            An earlier signature by the same key name is replaced. The output is written as Nix \
            writes narinfo files, so it can be saved over the original.
            """
    )

    @Argument(help: "The .narinfo file.")
    var file: String

    @Option(help: "The secret key file (name:base64, as nix-store --generate-binary-cache-key writes).")
    var key: String

    func run() throws {
        var info = try TextFile.narinfo(file)
        let secretKey: SigningSecretKey
        do { secretKey = try SigningSecretKey(parsing: try TextFile.read(key)) } catch let error as SigningKeyError {
            throw CLIError("\(key): \(error)")
        }
        try info.sign(with: secretKey)
        print(info.text, terminator: "")
    }
}
