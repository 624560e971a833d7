import ArgumentParser
import KeelStore

/// `keel store add PATH...`.
struct StoreAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add trees to the store as source paths and print their store paths.",
        discussion: """
            Each tree gets the path `nix-store --add` would give it in this store directory. \
            A tree whose name no valid path has is copied at once, hashing what is copied. \
            Otherwise content already in the store is not stored again: the tree is hashed \
            first, except that a tree of big files is copied while it is hashed and the copy \
            dropped if the content turns out to be there. New content is copied \
            into its canonical form (files 0444 or 0555, directories 0555, mtime 1), made \
            durable, and registered in one transaction. Fifos, sockets and devices are refused.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The store path name (default: each PATH's last component).")
    var name: String?

    @Argument(help: "The trees to add.")
    var paths: [String]

    func validate() throws {
        if name != nil && paths.count > 1 { throw ValidationError("--name takes one PATH") }
    }

    func run() throws {
        let local = try store.open()
        for path in paths {
            let added = try storeOperation { try local.add(path, name: name) }
            print(local.fullPath(added))
        }
    }
}
