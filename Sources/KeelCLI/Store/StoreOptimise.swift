import ArgumentParser
import KeelStore

/// `keel store optimise`.
struct StoreOptimise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimise",
        abstract: "Hard-link identical files across the store and print the bytes saved.",
        discussion: """
            Files are keyed by the sha256 of their NAR (contents and executable bit) under \
            STORE/.links, as Nix does; contents, modes and NAR hashes do not change.
            """
    )

    @OptionGroup var store: StoreOptions

    func run() throws {
        let local = try store.open()
        let result = try storeOperation { try local.optimise() }
        print("linked \(result.filesLinked) files, \(ByteCount(result.bytesSaved)) saved")
    }
}
