import Foundation
import KeelFormats

/// Reading `.drv` files for the `drv` commands.
enum DerivationFile {
    /// Reads and parses a `.drv` file.
    ///
    /// - Throws: `CLIError` naming the file and the problem.
    static func load(_ path: String) throws -> Derivation {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(
                "cannot read '\(path)': \(FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")"
            )
        }
        do {
            return try ATermParser.parse([UInt8](data))
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// The store directory for a file: the option when given, else the file's directory when the
    /// file's name is a store path base name, else `/nix/store`.
    static func storeDirectory(option: String?, file: String) throws -> StoreDirectory {
        let text: String
        if let option {
            text = option
        } else {
            let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
            let url = URL(fileURLWithPath: absolute).standardized
            let isStorePath = (try? StorePath(baseName: url.lastPathComponent)) != nil
            text = isStorePath ? url.deletingLastPathComponent().path : StoreDirectory.nix.path
        }
        do { return try StoreDirectory(text) } catch { throw CLIError(error.description) }
    }

    /// A hasher that reads input derivations from their paths on disk.
    static func hasher(storeDirectory: StoreDirectory) -> DerivationHasher {
        DerivationHasher(storeDirectory: storeDirectory) { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DerivationError.inputUnavailable(path, reason: "no such file in the store directory")
            }
            return try ATermParser.parse([UInt8](data))
        }
    }
}
