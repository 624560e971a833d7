import ArgumentParser
import KeelFileTree
import KeelStore
import SystemPackage

/// `keel store export PATH... > FILE`.
struct StoreExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write paths to stdout in the nix-store --export format.",
        discussion: """
            Paths are written references first, whatever the order given, so `nix-store \
            --import` and `keel store import` accept the stream. Only the named paths are \
            written; name a closure (`keel store closure`) to move a whole one.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "Store paths.")
    var paths: [String]

    func run() throws {
        let local = try store.open()
        try storeOperation { try local.export(try paths.map(local.storePath), to: .standardOutput) }
    }
}

/// `keel store import < FILE`.
struct StoreImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a nix-store --export stream from stdin and print the paths in it.",
        discussion: """
            All or nothing: every NAR is checked strictly and hashed, and every reference must be \
            valid or in the stream, before anything is registered. A broken stream is refused with \
            the byte offset of the problem, and the store is left as it was.
            """
    )

    @OptionGroup var store: StoreOptions

    func run() throws {
        let local = try store.open()
        let imported = try storeOperation {
            try local.importPaths(from: FileDescriptorSource(fd: .standardInput))
        }
        for path in imported { print(local.fullPath(path)) }
    }
}
