import ArgumentParser
import Foundation
import KeelFormats
import KeelStore

/// `--root` and `--store-dir`, shared by the commands that open the local store.
struct StoreOptions: ParsableArguments {
    @Option(help: "The state root (default: /var/lib/keel as root, else $XDG_STATE_HOME/keel).")
    var root: String?

    @Option(help: "The store directory (default: ROOT/store; any absolute directory, /nix/store included).")
    var storeDir: String?

    /// The root these options name.
    var resolvedRoot: String { StateRoot.resolve(root) }

    /// Where the store lives, without opening it.
    func layout() throws -> StoreLayout { try Self.layout(root: root, storeDir: storeDir) }

    /// The layout `--root root --store-dir storeDir` name.
    static func layout(root: String?, storeDir: String?) throws -> StoreLayout {
        do {
            let directory = try storeDir.map { text throws(StorePathError) in try StoreDirectory(text) }
            return try StoreLayout(root: StateRoot.resolve(root), storeDirectory: directory)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Opens the store; when it has to wait for another keel process, it says so on stderr.
    /// With `adopt`, claims a store directory that holds other tools' entries (`keel store adopt`).
    func open(adopt: Bool = false) throws -> LocalStore {
        let layout = try layout()
        do {
            return try LocalStore(
                layout: layout, adoptStoreDirectory: adopt, noticeWaiting: { StandardErrorLine.write("keel: " + $0) })
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// Where keel keeps its state.
enum StateRoot {
    /// `root` if given (made absolute against the working directory, trailing slashes
    /// dropped), else /var/lib/keel as root, else $XDG_STATE_HOME/keel.
    static func resolve(_ root: String?) -> String {
        if var root {
            if !root.hasPrefix("/") { root = FileManager.default.currentDirectoryPath + "/" + root }
            while root.count > 1, root.hasSuffix("/") { root.removeLast() }
            return root
        }
        if getuid() == 0 { return "/var/lib/keel" }
        let environment = ProcessInfo.processInfo.environment
        let state = environment["XDG_STATE_HOME"] ?? ((environment["HOME"] ?? "/tmp") + "/.local/state")
        return state + "/keel"
    }
}

/// Runs a store operation, turning its errors into one-line CLI errors.
func storeOperation<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as StoreError { throw CLIError(error.description) }
}
