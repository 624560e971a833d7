import Foundation
import KeelFormats
import KeelStore
import Synchronization

/// Reads derivations from the store's .drv files, parsing and validating each once.
final class DerivationLoader: Sendable {
    let store: LocalStore
    private let cache = Mutex([StorePath: Derivation]())

    init(store: LocalStore) { self.store = store }

    /// The derivation stored at `path`, which must be valid.
    func load(_ path: StorePath) throws(BuildError) -> Derivation {
        if let known = cache.withLock({ $0[path] }) { return known }
        guard (try? store.isValid(path)) == true else {
            throw BuildError(.badInput, "'\(store.fullPath(path))' is not a valid path in the store")
        }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: store.fullPath(path)))) } catch {
            throw BuildError(
                .system, "cannot read '\(store.fullPath(path))': \(error.localizedDescription)", cause: error)
        }
        let derivation: Derivation
        do { derivation = try Derivation(parsing: bytes) } catch {
            throw BuildError(.badInput, "'\(store.fullPath(path))': \(error)", cause: error)
        }
        cache.withLock { $0[path] = derivation }
        return derivation
    }

    /// The output paths of `derivation` by name.
    func outputPaths(of derivation: Derivation, drvPath: StorePath) throws(BuildError) -> [String: StorePath] {
        var paths: [String: StorePath] = [:]
        for (name, output) in derivation.outputs {
            do { paths[name] = try store.layout.storeDirectory.parse(output.path) } catch {
                throw BuildError(
                    .badInput, "'\(store.fullPath(drvPath))': output '\(name)' has a bad path '\(output.path)'")
            }
        }
        return paths
    }

    /// The store paths a build of `derivation` may use: its input sources and the outputs it
    /// names of its input derivations.
    func inputs(of derivation: Derivation, drvPath: StorePath) throws(BuildError) -> [StorePath] {
        let directory = store.layout.storeDirectory
        var inputs: [StorePath] = []
        for source in derivation.inputSources {
            do { inputs.append(try directory.parse(source)) } catch {
                throw BuildError(.badInput, "'\(store.fullPath(drvPath))': bad input source '\(source)'")
            }
        }
        for (input, names) in derivation.inputDerivations {
            let inputPath: StorePath
            do { inputPath = try directory.parse(input) } catch {
                throw BuildError(.badInput, "'\(store.fullPath(drvPath))': bad input derivation '\(input)'")
            }
            let outputs = try outputPaths(of: try load(inputPath), drvPath: inputPath)
            for name in names {
                guard let output = outputs[name] else {
                    throw BuildError(
                        .badInput, "'\(input)' has no output '\(name)' (used by '\(store.fullPath(drvPath))')")
                }
                inputs.append(output)
            }
        }
        return inputs
    }
}
