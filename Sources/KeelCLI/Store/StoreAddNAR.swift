import ArgumentParser
import KeelFileTree
import KeelFormats
import KeelStore

/// `keel store add-nar --name NAME [--expect-hash HASH] < NAR`.
struct StoreAddNAR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-nar",
        abstract: "Add the tree a NAR on stdin describes, as a source path, and print it.",
        discussion: """
            The NAR is checked strictly and hashed as it is read. With --expect-hash, a NAR whose \
            sha256 differs is refused, naming both hashes, and nothing is added.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The store path name.")
    var name: String

    @Option(help: "The NAR's expected sha256 (SRI, sha256:base32 or sha256:hex).")
    var expectHash: String?

    func validate() throws {
        if let expectHash, (try? NixHash(parsing: expectHash, algorithm: .sha256)) == nil {
            throw ValidationError("--expect-hash '\(expectHash)' is not a sha256 hash")
        }
    }

    func run() throws {
        let local = try store.open()
        let expected = try expectHash.map { try NixHash(parsing: $0, algorithm: .sha256) }
        let path = try storeOperation {
            try local.addNAR(from: FileDescriptorSource(fd: .standardInput), name: name, expectedHash: expected)
        }
        print(local.fullPath(path))
    }
}
