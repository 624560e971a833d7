import Foundation
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore

/// Brings `.drv` files from disk into the store, with the input derivations and input sources
/// they name: each is taken from the store when valid there, else from the directory the named
/// file is in (where `nix-instantiate` put its siblings), else from its own path on disk.
///
/// A derivation's store path is a text path over its bytes, so whatever is added is checked
/// against the name it should have; its output paths are checked as Nix computes them.
public struct DerivationImporter {
    let store: LocalStore

    /// An importer into `store`.
    public init(store: LocalStore) { self.store = store }

    /// Adds the `.drv` file at `file` (and what it needs) and returns its store path.
    ///
    /// The derivation's name is taken from the file name as Nix takes it: `HASH-NAME.drv` and
    /// `NAME.drv` both name it NAME. A file named like a store path must be that path (its
    /// contents make its hash); any other is added under the path its contents make, which
    /// the caller can tell the user.
    public func importFile(_ file: String) throws(BuildError) -> StorePath {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let slash = absolute.lastIndex(of: "/") ?? absolute.startIndex
        let baseName = String(absolute[absolute.index(after: slash)...])
        let name: String
        do { name = try Derivation.name(fromFileName: baseName) } catch {
            throw BuildError(.badInput, "'\(file)': \(error)", cause: error)
        }
        let nearby = slash == absolute.startIndex ? "/" : String(absolute[..<slash])
        var importer = Session(store: store, nearby: nearby)
        return try importer.importDerivation(named: name, claimed: try? StorePath(baseName: baseName), from: absolute)
    }

    /// One import: remembers what it added so shared inputs are handled once.
    private struct Session {
        let store: LocalStore
        let nearby: String
        var done: Set<StorePath> = []
        /// One hasher for the whole import: it memoises each input's hash modulo, so a chain of
        /// n derivations is hashed in O(n), not O(n²). It reads inputs from the store, where
        /// they are valid by the time a derivation that names them is checked.
        var hasher: DerivationHasher

        init(store: LocalStore, nearby: String) {
            self.store = store
            self.nearby = nearby
            let directory = store.layout.storeDirectory
            hasher = DerivationHasher(storeDirectory: directory) { path in
                let name = path.split(separator: "/").last.map(String.init) ?? path
                return try Derivation(
                    parsing: Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + name))))
            }
        }

        var directory: StoreDirectory { store.layout.storeDirectory }

        /// Imports the derivation at `location` named `name`; `claimed` is the store path its
        /// file name says it is, if any. Returns its store path.
        @discardableResult
        mutating func importDerivation(named name: String, claimed: StorePath?, from location: String)
            throws(BuildError) -> StorePath
        {
            if let claimed, done.contains(claimed) || (try? store.isValid(claimed)) == true { return claimed }
            let bytes = try read(location)
            let derivation: Derivation
            do { derivation = try Derivation(parsing: bytes) } catch {
                throw BuildError(.badInput, "'\(location)': \(error)", cause: error)
            }
            var references: [StorePath] = []
            for path in derivation.inputSources.union(derivation.inputDerivations.keys).sorted() {
                references.append(try parse(path, namedBy: location))
            }
            let path: StorePath
            do {
                path = try StorePathComputer(storeDirectory: directory).textPath(
                    contentHash: StreamingHasher.hash(.sha256, bytes), name: name + ".drv", references: references)
            } catch {
                throw BuildError(.badInput, "'\(location)': invalid derivation name '\(name)': \(error)", cause: error)
            }
            if let claimed, claimed != path {
                throw BuildError(
                    .badInput,
                    "'\(location)' does not match its name: its contents make '\(directory.fullPath(path))' in store directory \(directory.path)"
                )
            }
            if done.contains(path) || (try? store.isValid(path)) == true { return path }
            for source in derivation.inputSources.sorted() {
                try ensureSource(try parse(source, namedBy: location), namedBy: location)
            }
            for input in derivation.inputDerivations.keys.sorted() {
                let inputPath = try parse(input, namedBy: location)
                if (try? store.isValid(inputPath)) != true {
                    try importDerivation(inputPath, from: try locate(inputPath, namedBy: location))
                }
            }
            let added: StorePath
            do { added = try store.addText(name: path.name, contents: bytes, references: references) } catch {
                throw BuildError(.system, error.description, cause: error)
            }
            guard added == path else {
                throw BuildError(
                    .system,
                    "'\(location)' was added as '\(directory.fullPath(added))', not '\(directory.fullPath(path))'")
            }
            do { _ = try hasher.verifyOutputPaths(derivation, name: name) } catch {
                throw BuildError(.badInput, "'\(location)': \(error)", cause: error)
            }
            done.insert(path)
            return path
        }

        /// Imports the input derivation `path` from `location`.
        mutating func importDerivation(_ path: StorePath, from location: String) throws(BuildError) {
            let name: String
            do { name = try Derivation.name(of: path) } catch {
                throw BuildError(.badInput, "'\(location)': \(error)", cause: error)
            }
            try importDerivation(named: name, claimed: path, from: location)
        }

        /// Adds an input source that is not valid yet: a source path (its NAR hash names it) or a
        /// text path (its contents and the store paths written in them name it).
        mutating func ensureSource(_ path: StorePath, namedBy drv: String) throws(BuildError) {
            if done.contains(path) || (try? store.isValid(path)) == true { return }
            let location = try locate(path, namedBy: drv)
            let computer = StorePathComputer(storeDirectory: directory)
            let narHash: NixHash
            do { narHash = try TreeDumper.hash(path: location).hash } catch {
                throw BuildError(.badInput, "cannot read '\(location)': \(error)", cause: error)
            }
            if (try? computer.sourcePath(narHash: narHash, name: path.name)) == path {
                do { try store.add(location, name: path.name) } catch {
                    throw BuildError(.system, error.description, cause: error)
                }
                done.insert(path)
                return
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory), !isDirectory.boolValue {
                let contents = try read(location)
                let mentioned = mentionedPaths(in: contents).filter { $0 != path }
                let contentHash = StreamingHasher.hash(.sha256, contents)
                if (try? computer.textPath(contentHash: contentHash, name: path.name, references: mentioned)) == path {
                    for reference in mentioned {
                        if reference.name.hasSuffix(".drv") {
                            try importDerivation(reference, from: try locate(reference, namedBy: location))
                        } else {
                            try ensureSource(reference, namedBy: location)
                        }
                    }
                    do { try store.addText(name: path.name, contents: contents, references: mentioned) } catch {
                        throw BuildError(.system, error.description, cause: error)
                    }
                    done.insert(path)
                    return
                }
            }
            throw BuildError(
                .badInput,
                "input '\(directory.fullPath(path))' found at '\(location)' is neither a source path nor a text path "
                    + "of its contents; bring it in with `keel store import` (from `nix-store --export`)")
        }

        /// Where a named path is on disk: beside the file that named it, else at its own path.
        func locate(_ path: StorePath, namedBy file: String) throws(BuildError) -> String {
            let candidates = [nearby + "/" + path.baseName, directory.fullPath(path)]
            for candidate in candidates where (try? FileSystem.status(of: Array(candidate.utf8))) != nil {
                return candidate
            }
            throw BuildError(
                .badInput,
                "'\(file)' needs '\(directory.fullPath(path))', which is not valid in the store and is not at "
                    + candidates.map { "'\($0)'" }.joined(separator: " or "))
        }

        func parse(_ fullPath: String, namedBy file: String) throws(BuildError) -> StorePath {
            do { return try directory.parse(fullPath) } catch {
                throw BuildError(
                    .badInput,
                    "'\(file)' names '\(fullPath)', which is not in the store directory \(directory.path) "
                        + "(use --store-dir with the store directory it was instantiated for)")
            }
        }

        func read(_ location: String) throws(BuildError) -> [UInt8] {
            do { return Array(try Data(contentsOf: URL(fileURLWithPath: location))) } catch {
                throw BuildError(.badInput, "cannot read '\(location)': \(error.localizedDescription)", cause: error)
            }
        }

        /// The store paths (in this store directory) written out in `contents`.
        func mentionedPaths(in contents: [UInt8]) -> [StorePath] {
            let prefix = Array((directory.path + "/").utf8)
            var found: Set<StorePath> = []
            var index = 0
            while index + prefix.count + StorePath.hashPartLength < contents.count {
                guard contents[index..<(index + prefix.count)].elementsEqual(prefix) else {
                    index += 1
                    continue
                }
                var end = index + prefix.count
                while end < contents.count, Self.isNameByte(contents[end]) { end += 1 }
                let baseName = String(decoding: contents[(index + prefix.count)..<end], as: UTF8.self)
                if let path = try? StorePath(baseName: baseName) { found.insert(path) }
                index = end
            }
            return found.sorted()
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default: "+-._?=".utf8.contains(byte)
            }
        }
    }
}
