import ArgumentParser
import KeelStore

/// `keel store closure PATH...`.
struct StoreClosure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "closure",
        abstract: "Print every path the given paths reach through references, themselves included.",
        discussion: "The same set `nix-store -qR` prints, sorted by base name."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "Store paths.")
    var paths: [String]

    func run() throws {
        let local = try store.open()
        let closure = try storeOperation { try local.closure(of: try paths.map(local.storePath)) }
        for path in closure.sorted() { print(local.fullPath(path)) }
    }
}

/// `keel store referrers PATH`.
struct StoreReferrers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrers",
        abstract: "Print the valid paths that refer to a path."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "A store path.")
    var path: String

    func run() throws {
        let local = try store.open()
        for referrer in try storeOperation({ try local.referrers(of: try local.storePath(path)) }) {
            print(local.fullPath(referrer))
        }
    }
}
