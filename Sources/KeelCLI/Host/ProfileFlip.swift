import KeelAPI
import KeelSystem

/// Flipping the system profile between existing generations: `keel switch --to N` and
/// `keel rollback`. Nothing is built and the store is not opened (a generation's path is kept by
/// its link, a GC root), so these take a few milliseconds — what scripts and watchdogs want.
///
/// `KeelMain` recognises their plain forms (`init?(arguments:)`) before the argument parser,
/// whose reflection would otherwise be half of their run time; any other form (`--help`, an
/// unknown or malformed option) goes through the parser and its messages as usual, and the
/// commands' `run` comes here too.
struct ProfileFlip {
    /// Where to go.
    enum Target: Equatable {
        /// Generation N (`switch --to N`).
        case generation(Int)
        /// The previous good generation (`rollback`).
        case previousGood
    }

    let target: Target
    let root: String?
    let storeDir: String?
    let json: Bool
    /// Whether a generation marked failed may be switched to.
    var force = false

    /// A flip with everything given.
    init(target: Target, root: String?, storeDir: String?, json: Bool, force: Bool = false) {
        self.target = target
        self.root = root
        self.storeDir = storeDir
        self.json = json
        self.force = force
    }

    /// The flip `arguments` ask for, when they are exactly `switch --to N` or `rollback`, in
    /// any order with `--root DIR`, `--store-dir DIR` and `--json` (each at most once, also as
    /// `--option=value`); nil for anything else.
    init?(arguments: [String]) {
        guard let verb = arguments.first, verb == "switch" || verb == "rollback" else { return nil }
        let options: Set<String> = verb == "switch" ? ["--to", "--root", "--store-dir"] : ["--root", "--store-dir"]
        guard let plain = PlainCommandLine(arguments.dropFirst(), options: options, flags: ["--json"]) else {
            return nil
        }
        let values = plain.values
        if verb == "switch" {
            guard let text = values["--to"], let number = Int(text), number > 0 else { return nil }
            target = .generation(number)
        } else {
            target = .previousGood
        }
        root = values["--root"]
        storeDir = values["--store-dir"]
        json = plain.flags.contains("--json")
    }

    /// Flips the profile and prints the result; when a daemon runs for the root, the daemon flips
    /// it and activates the generation.
    func run() throws {
        let layout = try StoreOptions.layout(root: root, storeDir: storeDir)
        let daemonOutcome =
            switch target {
            case .generation(let number):
                try DaemonSwitch.switchSystem(SwitchRequest(generation: number, force: force), root: layout.root)
            case .previousGood: try DaemonSwitch.rollback(root: layout.root)
            }
        if let daemonOutcome {
            DaemonSwitch.print(daemonOutcome, systemPath: daemonOutcome.systemPath ?? "", built: [], json: json)
            return
        }
        if case .generation(let number) = target, !force,
            let generation = try switching({ try Profile(systemIn: layout).generation(number) }),
            generation.status == .failed
        {
            throw CLIError("generation \(number) failed its probation; switch to it anyway with --force")
        }
        let switcher = SystemSwitcher(layout: layout) { StandardErrorLine.write("keel: " + $0) }
        let outcome = try switching {
            switch target {
            case .generation(let number): try switcher.switchTo(generation: number)
            case .previousGood: try switcher.rollback()
            }
        }
        SwitchReport.print(outcome, built: [], root: layout.root, json: json)
    }
}
