import ArgumentParser
import KeelFileTree
import KeelFormats

/// `keel store path-of PATH --name NAME`: the store path `nix-store --add` would give PATH.
struct StorePathOf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path-of",
        abstract: "Print the store path `nix-store --add` would give PATH, without adding anything.",
        discussion: """
            The path is a 'source' path: its hash covers the sha256 of PATH's NAR, the store \
            directory and the name. NAME defaults to PATH's last component; it must be 1–211 \
            characters from A-Z a-z 0-9 + - . _ ? =.
            """
    )

    @Argument(help: "The file, symlink or directory.")
    var path: String

    @Option(help: "The store path name (default: the last component of PATH).")
    var name: String?

    @Option(help: "The store directory the path would live in.")
    var storeDir = "/nix/store"

    func run() throws {
        let directory: StoreDirectory
        do { directory = try StoreDirectory(storeDir) } catch { throw CLIError(error.description) }
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let pathName = name ?? String(trimmed.split(separator: "/").last ?? Substring(trimmed))
        do { try StorePath.validateName(pathName) } catch { throw CLIError(error.description) }
        do {
            let (hash, _) = try TreeDumper.hash(path: path)
            let storePath = try StorePathComputer(storeDirectory: directory).sourcePath(narHash: hash, name: pathName)
            print(directory.fullPath(storePath))
        } catch let error as FileTreeError {
            throw CLIError(error.description)
        }
    }
}
