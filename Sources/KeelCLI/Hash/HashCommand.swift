import ArgumentParser
import KeelFormats

/// `keel hash`: hash trees the way Nix does.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Hash file-system trees and files the way Nix does.",
        subcommands: [HashPath.self, HashFile.self]
    )
}

/// The output encoding flags shared by the hash commands (`--base32`, `--base16`, `--sri`).
struct HashFormatOptions: ParsableArguments {
    @Flag(help: "Print the hash in Nix base32.")
    var base32 = false

    @Flag(help: "Print the hash in lowercase hex.")
    var base16 = false

    @Flag(help: "Print the hash in SRI form, algo-base64 (the default).")
    var sri = false

    @Option(name: .customLong("type"), help: "The hash algorithm: md5, sha1, sha256 or sha512.")
    var algorithmName = "sha256"

    mutating func validate() throws {
        if [base32, base16, sri].filter({ $0 }).count > 1 {
            throw ValidationError("--base32, --base16 and --sri exclude each other")
        }
        if HashAlgorithm(rawValue: algorithmName) == nil {
            throw ValidationError("unknown hash algorithm '\(algorithmName)'; use md5, sha1, sha256 or sha512")
        }
    }
}
