import ArgumentParser
import KeelSystem

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
        let layout = try store.layout()
        let outcome = try switching {
            try SystemSwitcher(layout: layout) { StandardErrorLine.write("keel: " + $0) }.rollback()
        }
        let generation = outcome.generation
        if json {
            print(
                JSONValue.object([
                    ("generation", .number(Int64(generation.number))), ("path", .string(generation.systemPath)),
                    ("previous", outcome.previous.map { .number(Int64($0.number)) } ?? .null),
                ]).rendered())
        } else {
            print("generation \(generation.number): \(generation.systemPath)")
        }
        DaemonNotice.afterSwitch(root: layout.root, generation: generation.number)
    }
}
