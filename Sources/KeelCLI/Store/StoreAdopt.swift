import ArgumentParser
import KeelStore

/// `keel store adopt`.
struct StoreAdopt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Claim a store directory that holds other tools' entries, to share it.",
        discussion: """
            Keel opens a store directory only when it is claimed by the root's database: the \
            claim (STORE/.keel-store) is written when Keel creates the directory or finds in it \
            nothing another tool made. A directory that holds other entries, such as a Nix store \
            with its paths or .drv files that nix-instantiate wrote, is refused until it is \
            adopted with this command. Adopting makes nothing of another tool's Keel's: Keel \
            never deletes or rewrites an entry it did not make, neither when cleaning up after a \
            crash nor in gc; an add whose path is already there with exactly the expected \
            content registers it where it is. A directory claimed by another Keel root cannot be \
            adopted. The other tool does not know Keel's rules: Nix's own garbage collector \
            deletes store paths its database does not list, Keel's included, so \
            keep Keel's paths out of reach of another tool's collector (or give Keel a store \
            directory of its own).
            """
    )

    @OptionGroup var store: StoreOptions

    func run() throws {
        let local = try store.open(adopt: true)
        let directory = local.layout.storeDirectory.path
        let foreign = local.foreignEntriesAtClaim.count
        if foreign == 0 {
            print("the store directory '\(directory)' is claimed by the root '\(local.layout.root)'")
        } else {
            print(
                "adopted the store directory '\(directory)' for the root '\(local.layout.root)'; its \(foreign) entries of other tools are left as they are"
            )
        }
    }
}
