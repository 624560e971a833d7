import Foundation
import Glibc
import KeelFormats
import KeelLinux
import KeelSandbox
import KeelStore
import SystemPackage

/// Builds one derivation: prepares its sandbox, runs the builder under the time limits, and
/// registers its outputs with their references, or, for `--check`, compares them with the valid
/// ones. Whatever happens, nothing half-built is registered and the build directory is removed.
struct DerivationBuilder: Sendable {
    let store: LocalStore
    let loader: DerivationLoader
    let settings: BuildSettings
    let cancellation: BuildCancellation
    let events: BuildEvents
    /// Removes build directories in the background.
    let reaper: BuildDirectoryReaper
    /// The caller's environment, for the impure variables of fixed-output derivations.
    let callerEnvironment: [String: String]

    /// What one build did.
    enum Outcome: Sendable {
        /// The outputs were built and registered.
        case built
        /// Another process registered them while this one waited for their locks.
        case alreadyValid
        /// `--check`: the rebuild matched the valid outputs bit for bit.
        case checked
    }

    /// Builds `drvPath`; with `check`, rebuilds outputs that are already valid and compares.
    func build(_ drvPath: StorePath, check: Bool) throws(BuildError) -> Outcome {
        let derivation = try loader.load(drvPath)
        let outputs = try loader.outputPaths(of: derivation, drvPath: drvPath)
        let locks: [PathLock]
        do { locks = check ? [] : try store.lockPaths(Array(outputs.values)) } catch {
            throw BuildError(.system, error.description, cause: error)
        }
        defer { for lock in locks { lock.release() } }
        if !check {
            let valid: Set<StorePath>
            do { valid = try store.validSubset(of: Array(outputs.values)) } catch {
                throw BuildError(.system, error.description, cause: error)
            }
            if valid.count == outputs.count { return .alreadyValid }
        }
        if let reason = cancellation.reason { throw BuildError(.cancelled, reason.description, cause: reason) }

        let inputs = try loader.inputs(of: derivation, drvPath: drvPath)
        let closure: Set<StorePath>
        do { closure = try store.closure(of: inputs) } catch  where error.code == .notValid {
            throw BuildError(
                .badInput, "\(error.description): it is an input of '\(store.fullPath(drvPath))'", cause: error)
        } catch {
            throw BuildError(.system, error.description, cause: error)
        }

        let directory: BuildDirectory
        do {
            directory = try BuildDirectory(
                stateRoot: store.layout.root, name: String(drvPath.name.dropLast(4)))
        } catch {
            throw BuildError(.system, "cannot prepare the build directory: \(error)", cause: error)
        }
        defer { reaper.remove(directory) }
        events.send(.started(drvPath, check: check))
        let start = ContinuousClock.now
        try run(derivation, drvPath: drvPath, outputs: outputs, closure: closure, in: directory)
        let collector = OutputCollector(
            store: store, drvPath: drvPath, derivation: derivation, outputs: outputs, inputClosure: closure,
            directory: directory)
        let built = try collector.collect()
        if check {
            try compare(built, drvPath: drvPath)
            events.send(.finished(drvPath, seconds: (ContinuousClock.now - start).seconds))
            return .checked
        }
        do { try store.registerBuilt(built) } catch { throw BuildError(.system, error.description, cause: error) }
        events.send(.finished(drvPath, seconds: (ContinuousClock.now - start).seconds))
        return .built
    }

    /// Runs the builder (or the built-in fetcher) until it ends, and turns a failure into an error
    /// that shows the log's last lines.
    private func run(
        _ derivation: Derivation, drvPath: StorePath, outputs: [String: StorePath], closure: Set<StorePath>,
        in directory: BuildDirectory
    ) throws(BuildError) {
        let drvName = store.fullPath(drvPath)
        let storeDirectory = store.layout.storeDirectory
        let graphs = try referencesGraphs(derivation, drvPath: drvPath, closure: closure)
        let environment: BuildEnvironment
        do {
            environment = try BuildEnvironment(
                derivation: derivation, outputs: outputs.mapValues { storeDirectory.fullPath($0) },
                storeDirectory: storeDirectory, cores: settings.cores, callerEnvironment: callerEnvironment,
                referencesGraphs: graphs)
        } catch {
            throw BuildError(.badInput, "'\(drvName)': \(error)", cause: error)
        }
        let log: BuildLogRecorder
        do {
            log = try BuildLogRecorder(
                path: BuildLogs.path(stateRoot: store.layout.root, derivation: drvPath), keep: settings.failureLogLines,
                onLine: events.wantsLogLines ? { line in events.send(.log(drvPath, line)) } : nil)
        } catch {
            throw BuildError(.system, "cannot create the build log: \(error)", cause: error)
        }
        defer { log.close() }

        if let builtin = derivation.builtinBuilder {
            // Validation lets through only builtin:fetchurl with a fixed output named `out`.
            guard builtin == "fetchurl", let output = outputs["out"] else {
                throw BuildError(.badInput, "'\(drvName)': \(DerivationError.unsupportedBuiltin(builtin))")
            }
            do {
                try BuiltinFetchURL.fetch(attributes: environment.attributes, into: directory.location(of: output))
            } catch {
                throw BuildError(.failed, "builder for '\(drvName)' failed: \(error)", cause: error)
            }
            return
        }
        do {
            for file in environment.files { try directory.writeBuildFile(file.name, file.contents) }
        } catch {
            throw BuildError(.system, "cannot prepare the build directory: \(error)", cause: error)
        }
        let pipe: PipeEnds
        do { pipe = try PipeEnds() } catch {
            throw BuildError(.system, "cannot create the log pipe: \(error)", cause: error)
        }
        let spec = sandboxSpec(
            derivation, environment: environment, closure: closure, directory: directory, logWriter: pipe.writing)
        let process: SandboxedProcess
        do { process = try Sandbox.spawn(spec) } catch {
            FileSystem.close(FileDescriptor(rawValue: pipe.reading))
            FileSystem.close(FileDescriptor(rawValue: pipe.writing))
            throw BuildError(.system, "cannot start the builder of '\(drvName)': \(error)", cause: error)
        }
        FileSystem.close(FileDescriptor(rawValue: pipe.writing))
        cancellation.register(process)
        defer { cancellation.unregister(process) }
        let monitor = BuilderMonitor(timeout: settings.timeout, maxSilentTime: settings.maxSilentTime)
        let ending: BuilderMonitor.Ending
        do { ending = try monitor.follow(process, output: pipe.reading, log: log) } catch {
            try? process.kill()
            _ = try? process.wait()
            throw BuildError(.system, "lost track of the builder of '\(drvName)': \(error)", cause: error)
        }
        if let reason = cancellation.reason {
            throw BuildError(.cancelled, "build of '\(drvName)' stopped: \(reason)", cause: reason)
        }
        let what: String
        switch ending {
        case .terminated(.exited(0)): return
        case .terminated(.exited(let status)): what = "failed with exit code \(status)"
        case .terminated(.signaled(let signal)): what = "was killed by signal \(signal)"
        case .timedOut: what = "timed out after \(settings.timeout!.seconds) seconds"
        case .silent: what = "printed nothing for \(settings.maxSilentTime!.seconds) seconds and was killed"
        }
        let lines = log.lastLines()
        var message = "builder for '\(drvName)' \(what)"
        if !lines.isEmpty {
            message += "; last \(lines.count) log lines:\n" + lines.map { "> " + $0 }.joined(separator: "\n")
        }
        throw BuildError(.failed, message)
    }

    /// The sandbox of one build: the input closure read-only at its store paths, the build
    /// directory at /build, the extra sandbox paths, and the host network only for fixed outputs.
    private func sandboxSpec(
        _ derivation: Derivation, environment: BuildEnvironment, closure: Set<StorePath>, directory: BuildDirectory,
        logWriter: Int32
    ) -> SandboxSpec {
        var mounts = [
            SandboxSpec.Mount(
                source: directory.storeDirectory, target: store.layout.storeDirectory.path, readOnly: false),
            SandboxSpec.Mount(source: directory.build, target: BuildEnvironment.buildTop, readOnly: false),
        ]
        for path in closure.sorted() {
            mounts.append(SandboxSpec.Mount(source: store.fullPath(path), target: store.fullPath(path)))
        }
        for extra in settings.sandboxPaths {
            mounts.append(SandboxSpec.Mount(source: extra.source, target: extra.target))
        }
        let fixedOutput = derivation.isFixedOutput
        if fixedOutput {
            for file in ["/etc/resolv.conf", "/etc/services"] where FileManager.default.fileExists(atPath: file) {
                mounts.append(SandboxSpec.Mount(source: file, target: file))
            }
        }
        var spec = SandboxSpec(
            executable: derivation.builder.description, arguments: environment.arguments,
            environment: environment.variables, root: directory.root, mounts: mounts,
            workingDirectory: BuildEnvironment.buildTop,
            network: fixedOutput ? .host : .loopbackOnly, outsideUser: ProcessControl.identity)
        spec.freshRoot = true
        spec.files = BuildDirectory.etcFiles.map { SandboxSpec.File(path: $0.path, contents: Array($0.contents.utf8)) }
        spec.standardOutput = logWriter
        spec.standardError = logWriter
        return spec
    }

    /// The attributes `exportReferencesGraph` adds to structured attributes, as Nix 2.8 makes
    /// them: for each entry, the path infos (path, narHash, narSize, references, ca,
    /// closureSize) of the closure of the paths it names, which must be in the input closure,
    /// and of the closures of the outputs of the derivations in it.
    private func referencesGraphs(_ derivation: Derivation, drvPath: StorePath, closure: Set<StorePath>)
        throws(BuildError) -> [String: NixJSON]
    {
        let graphs: [(attribute: String, paths: [String])]
        do { graphs = try StructuredAttributes.of(derivation)?.referencesGraphs() ?? [] } catch {
            throw BuildError(.badInput, "'\(store.fullPath(drvPath))': \(error)", cause: error)
        }
        var result: [String: NixJSON] = [:]
        for (attribute, paths) in graphs {
            var exported: Set<StorePath> = []
            do {
                for text in paths {
                    guard let path = try? store.storePath(text), closure.contains(path) else {
                        throw BuildError(
                            .badInput,
                            "cannot export references of path '\(text)' because it is not in the input closure of the derivation '\(store.fullPath(drvPath))'"
                        )
                    }
                    exported.formUnion(try store.closure(of: [path]))
                }
                for path in exported where path.name.hasSuffix(".drv") {
                    let outputs = try loader.outputPaths(of: try loader.load(path), drvPath: path)
                    exported.formUnion(try store.closure(of: outputs.keys.sorted().compactMap { outputs[$0] }))
                }
                var infos: [NixJSON] = []
                for path in exported.sorted() {
                    let info = try store.info(path)
                    var closureSize: UInt64 = 0
                    for member in try store.closure(of: [path]) { closureSize += try store.info(member).narSize }
                    var object: [String: NixJSON] = [
                        "path": .string(store.fullPath(path)), "narHash": .string(info.narHash.prefixed(.nixBase32)),
                        "narSize": .unsigned(info.narSize), "closureSize": .unsigned(closureSize),
                        "references": .array(info.references.map { .string(store.fullPath($0)) }),
                    ]
                    if let address = info.contentAddress { object["ca"] = .string(address.description) }
                    infos.append(.object(object))
                }
                result[attribute] = .array(infos)
            } catch let error as BuildError {
                throw error
            } catch {
                throw BuildError(.system, "cannot export the references graph '\(attribute)': \(error)", cause: error)
            }
        }
        return result
    }

    /// `--check`: the rebuilt outputs must equal the valid ones bit for bit.
    private func compare(_ built: [BuiltPath], drvPath: StorePath) throws(BuildError) {
        var report: [String] = []
        for output in built {
            let valid: PathInfo
            do { valid = try store.info(output.path) } catch {
                throw BuildError(.badInput, "'\(store.fullPath(output.path))' is not valid: nothing to check against")
            }
            if valid.narHash == output.narHash { continue }
            report.append("output '\(store.fullPath(output.path))' differs:")
            for file in TreeDifference.compare(store.fullPath(output.path), output.location) {
                report.append("  \(file)")
            }
        }
        guard report.isEmpty else {
            throw BuildError(
                .notDeterministic,
                "derivation '\(store.fullPath(drvPath))' may not be deterministic:\n" + report.joined(separator: "\n"))
        }
    }
}

extension Duration {
    /// Whole and fractional seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
