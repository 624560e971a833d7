import ArgumentParser

/// `keel rollback`: back to the previous good generation.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make the previous good generation current.",
        discussion: """
            Goes back from the current generation to the newest older one whose status is good \
            (judged by SafeSwitch), or, when none is, the newest older one still pending; a \
            failed generation is never chosen. One rename(2) of ROOT/profiles/system; nothing is \
            built or deleted, and the generation left stays for `keel switch --to N`. Appended to \
            the ledger.

            Output: `generation N: PATH` (or JSON with --json).
            Exit status: 0 on success; 1 when there is no generation to go back to.
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try ProfileFlip(target: .previousGood, root: store.root, storeDir: store.storeDir, json: json).run()
    }
}
