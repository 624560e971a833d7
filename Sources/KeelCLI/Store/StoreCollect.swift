import ArgumentParser
import KeelStore

/// `keel store gc`.
struct StoreGC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete the paths no root keeps alive, and print what was freed.",
        discussion: """
            Roots are the symlinks under ROOT/gcroots and the generations in ROOT/profiles. What running \
            keel processes rely on is never collected: adds, imports and builds in progress hold \
            the store's collection lock shared, so collection waits for them, and they wait for \
            it; whichever waits says so on stderr. Paths are deleted referrers first; with \
            --max-freed, collection stops once that many bytes (NAR sizes) are freed.
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print what would be deleted, and delete nothing.")
    var dryRun = false

    @Option(help: "Stop after freeing this many bytes.")
    var maxFreed: UInt64?

    func run() throws {
        let local = try store.open()
        let result = try storeOperation { try local.collectGarbage(maxFreed: maxFreed, dryRun: dryRun) }
        for path in result.deleted { print(local.fullPath(path)) }
        let verb = dryRun ? "would delete" : "deleted"
        print("\(verb) \(result.deleted.count) store paths, \(ByteCount(result.bytesFreed)) freed")
    }
}

/// `keel store delete PATH...`.
struct StoreDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete store paths that nothing refers to and no root keeps alive.",
        discussion:
            "A path still referenced or rooted is refused, naming the referrer or root; nothing is deleted then."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "Store paths.")
    var paths: [String]

    func run() throws {
        let local = try store.open()
        let result = try storeOperation { try local.delete(try paths.map(local.storePath)) }
        for path in result.deleted { print(local.fullPath(path)) }
    }
}

/// `keel store verify`.
struct StoreVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check valid paths against the database; exit 1 if any does not match.",
        discussion: """
            Without --check-contents, checks that each path exists; with it, re-hashes each path \
            and compares the NAR hash and size with the registered ones. Every problem is listed.
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Re-hash every path's contents.")
    var checkContents = false

    @Argument(help: "Store paths (default: every valid path).")
    var paths: [String] = []

    func run() throws {
        let local = try store.open()
        let problems = try storeOperation {
            try local.verify(try paths.map(local.storePath), checkContents: checkContents)
        }
        for problem in problems { print(problem) }
        if !problems.isEmpty {
            StandardErrorLine.write("keel: \(problems.count) store path(s) do not match the database")
            throw SilentExit(.failure)
        }
    }
}
