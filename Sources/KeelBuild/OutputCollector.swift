import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore
import SystemPackage

/// Turns what a builder left in its store directory into `BuiltPath`s: each output is made
/// canonical, hashed and scanned for references in one pass, and a fixed output is checked
/// against its declared hash.
struct OutputCollector {
    let store: LocalStore
    let drvPath: StorePath
    let derivation: Derivation
    let outputs: [String: StorePath]
    /// The input closure: what outputs may refer to, besides themselves.
    let inputClosure: Set<StorePath>
    let directory: BuildDirectory

    func collect() throws(BuildError) -> [BuiltPath] {
        let drvName = store.fullPath(drvPath)
        let candidates = inputClosure.union(outputs.values)
        var built: [BuiltPath] = []
        for name in derivation.outputNames {
            guard let path = outputs[name], let declared = derivation.outputs[name] else { continue }
            let location = directory.location(of: path)
            guard (try? FileSystem.status(of: Array(location.utf8))) != nil else {
                throw BuildError(
                    .failed,
                    "builder for '\(drvName)' failed to produce output path for output '\(name)' at '\(store.fullPath(path))'"
                )
            }
            let consumer: ScanningConsumer
            do {
                let parent = try FileSystem.openDirectory(Array(directory.storeDirectory.utf8))
                defer { FileSystem.close(parent) }
                try Canonicaliser.canonicalise(Array(path.baseName.utf8), in: parent, label: store.fullPath(path))
                consumer = try TreeDumper.consume(
                    path: location, with: ScanningConsumer(algorithm: .sha256, candidates: candidates))
            } catch let error as FileTreeError {
                throw BuildError(.failed, "output '\(name)' of '\(drvName)': \(error)", cause: error)
            } catch {
                throw BuildError(.system, "cannot read output '\(name)' of '\(drvName)': \(error)", cause: error)
            }
            let references = consumer.scanner.found.sorted()
            let narHash = consumer.hashing.hash!
            var contentAddress: ContentAddress?
            if declared.isFixed {
                contentAddress = try checkFixedOutput(name, declared, location: location, narHash: narHash)
                let foreign = references.filter { $0 != path }
                guard foreign.isEmpty else {
                    throw BuildError(
                        .failed,
                        "fixed-output derivation '\(drvName)' must not refer to other store paths; it refers to "
                            + foreign.map { "'\(store.fullPath($0))'" }.joined(separator: ", "))
                }
            }
            built.append(
                BuiltPath(
                    location: location, path: path, narHash: narHash, narSize: consumer.hashing.size,
                    references: references, deriver: drvPath, contentAddress: contentAddress))
        }
        try refuseCycles(built)
        return built
    }

    /// Outputs may refer to each other only without a cycle (Nix refuses one too: no order
    /// would let them be registered or copied one by one).
    private func refuseCycles(_ built: [BuiltPath]) throws(BuildError) {
        let own = Set(built.map(\.path))
        var edges: [StorePath: [StorePath]] = [:]
        for output in built { edges[output.path] = output.references.filter { own.contains($0) && $0 != output.path } }
        var state: [StorePath: Bool] = [:]  // false: on the current path; true: done
        func visit(_ path: StorePath, from start: StorePath) -> (StorePath, StorePath)? {
            state[path] = false
            for next in edges[path] ?? [] {
                if state[next] == false { return (path, next) }
                if state[next] == nil, let cycle = visit(next, from: start) { return cycle }
            }
            state[path] = true
            return nil
        }
        for output in built where state[output.path] == nil {
            if let (from, to) = visit(output.path, from: output.path) {
                throw BuildError(
                    .failed,
                    "cycle detected in build of '\(store.fullPath(drvPath))' in the references of '\(store.fullPath(to))' from '\(store.fullPath(from))'"
                )
            }
        }
    }

    /// Hashes a fixed output as its derivation declares (flat file or NAR, with its algorithm) and
    /// refuses a mismatch, naming both hashes.
    private func checkFixedOutput(_ name: String, _ output: Derivation.Output, location: String, narHash: NixHash)
        throws(BuildError) -> ContentAddress
    {
        let drvName = store.fullPath(drvPath)
        let declared: ContentAddress
        do { declared = try output.fixedContentAddress() } catch {
            throw BuildError(.badInput, "'\(drvName)': \(error)", cause: error)
        }
        let actual: NixHash
        do {
            switch declared.method {
            case .flat:
                actual = try FlatFileHasher.hash(path: location, algorithm: declared.hash.algorithm)
            case .recursive:
                actual =
                    declared.hash.algorithm == .sha256
                    ? narHash : try TreeDumper.hash(path: location, algorithm: declared.hash.algorithm).hash
            case .text:
                throw BuildError(.badInput, "'\(drvName)': text hashing is not allowed for outputs")
            }
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError(.failed, "cannot hash output '\(name)' of '\(drvName)': \(error)", cause: error)
        }
        guard actual == declared.hash else {
            throw BuildError(
                .failed,
                """
                hash mismatch in fixed-output derivation '\(drvName)':
                  specified: \(declared.hash.prefixed(.nixBase32))
                       got:  \(actual.prefixed(.nixBase32))
                """)
        }
        return declared
    }
}
