import Foundation
import KeelFormats
import KeelLinux

/// Reading `.drv` files for the `drv` commands.
enum DerivationFile {
    /// A `.drv` file's bytes and the derivation they hold, parsed and validated.
    struct Loaded {
        /// The file's bytes: what its store path is computed over.
        let bytes: [UInt8]
        /// The derivation.
        let derivation: Derivation
    }

    /// Reads, parses and validates a `.drv` file.
    ///
    /// - Throws: `CLIError` naming the file and the problem.
    static func load(_ path: String) throws -> Loaded {
        let bytes = try UserFile.read(path)
        do {
            return Loaded(bytes: bytes, derivation: try Derivation(parsing: bytes))
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// The derivation's name, taken from the file name as Nix takes it (`HASH-NAME.drv` and
    /// `NAME.drv` give NAME), never from its environment.
    ///
    /// - Throws: `CLIError` when the file name does not end in `.drv` or leaves no valid name.
    static func name(of path: String) throws -> String {
        do { return try Derivation.name(fromFileName: URL(fileURLWithPath: path).lastPathComponent) } catch {
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

    /// A hasher that reads input derivations from their paths on disk, validating each.
    static func hasher(storeDirectory: StoreDirectory) -> DerivationHasher {
        DerivationHasher(storeDirectory: storeDirectory) { path in
            let bytes: [UInt8]
            do throws(SystemError) { bytes = try FileSystem.readWholeFile(path) } catch {
                throw DerivationError.inputUnavailable(path, reason: UserFile.reason(error))
            }
            return try Derivation(parsing: bytes)
        }
    }
}
