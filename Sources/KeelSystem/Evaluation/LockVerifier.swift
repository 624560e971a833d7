import KeelConfig

/// Checks keel.lock against keel.toml and the inputs as they are now: every fetch, `.drv` file,
/// runtime and host path must be locked, and locked to what it is. Each problem names the input and,
/// when it changed, both hashes.
public struct LockVerifier {
    /// The configuration.
    public let configuration: HostConfiguration
    /// The lock as read (empty when there is no keel.lock).
    public let lock: LockFile

    /// A verifier for `configuration` against `lock`.
    public init(configuration: HostConfiguration, lock: LockFile) {
        self.configuration = configuration
        self.lock = lock
    }

    /// The locked inputs, or every problem at once, positioned in keel.toml.
    public func verify() throws(ConfigErrors) -> LockedInputs {
        var inputs = LockedInputs()
        var problems: [ConfigProblem] = []
        let advice = "run `keel lock` (or `keel switch --update-lock`) to record it"
        for package in configuration.packages {
            switch package.kind {
            case .fetch(let fetch):
                let locked = lock.fetches[package.name]
                if let hash = fetch.hash, !fetch.needsNARHash {
                    // keel.toml's hash is enough; a lock entry for another URL is only stale.
                    if let locked, locked.url == fetch.url.value, locked.hash != hash {
                        problems.append(
                            ConfigProblem(
                                "package '\(package.name)': keel.toml's hash \(hash) differs from keel.lock's \(locked.hash); \(advice)",
                                at: fetch.url.position))
                    }
                    inputs.fetches[package.name] = (hash, nil)
                } else if let locked, locked.url == fetch.url.value, !fetch.needsNARHash || locked.narHash != nil {
                    if let hash = fetch.hash, hash != locked.hash {
                        problems.append(
                            ConfigProblem(
                                "package '\(package.name)': keel.toml's hash \(hash) differs from keel.lock's \(locked.hash); \(advice)",
                                at: fetch.url.position))
                    }
                    inputs.fetches[package.name] = (locked.hash, locked.narHash)
                } else if let locked, locked.url != fetch.url.value {
                    problems.append(
                        ConfigProblem(
                            "package '\(package.name)': url changed (keel.lock has \"\(locked.url)\"); \(advice)",
                            at: fetch.url.position))
                } else {
                    problems.append(
                        ConfigProblem(
                            "package '\(package.name)': \"\(fetch.url.value)\" is not locked; \(advice)",
                            at: fetch.url.position))
                }
            case .nixDerivation(let drv):
                let current: String
                do { current = try InputHashing.file(drv.resolvedPath) } catch {
                    problems.append(ConfigProblem(error.description, at: drv.path.position))
                    continue
                }
                if let locked = lock.derivations[package.name], locked.path == drv.path.value {
                    if locked.hash != current {
                        problems.append(
                            ConfigProblem(
                                "package '\(package.name)': '\(drv.path.value)' changed: keel.lock has \(locked.hash), "
                                    + "the file now hashes to \(current); \(advice)",
                                at: drv.path.position))
                    }
                } else {
                    problems.append(
                        ConfigProblem(
                            "package '\(package.name)': '\(drv.path.value)' is not locked (it hashes to \(current)); \(advice)",
                            at: drv.path.position))
                }
                inputs.derivationFiles[package.name] = current
            case .debian(let debian):
                let requests = debian.requests.map(\.value)
                guard let locked = lock.runtimes[package.name], locked.debian == requests, !locked.debs.isEmpty else {
                    let state =
                        lock.runtimes[package.name] == nil ? "are not locked" : "changed since keel.lock was written"
                    problems.append(
                        ConfigProblem(
                            "package '\(package.name)': its Debian packages \(state); \(advice)",
                            at: debian.requests.first?.position ?? package.position))
                    continue
                }
                inputs.runtimes[package.name] = locked
            case .python(let python):
                guard let locked = lock.runtimes[package.name], locked.python == python.interpreter.value,
                    locked.requirements == python.lines
                else {
                    let state =
                        lock.runtimes[package.name] == nil ? "are not locked" : "changed since keel.lock was written"
                    problems.append(
                        ConfigProblem(
                            "package '\(package.name)': its wheels \(state); \(advice)", at: python.interpreter.position
                        ))
                    continue
                }
                inputs.runtimes[package.name] = locked
            case .source, .derivation:
                continue
            }
        }
        for agent in configuration.agents {
            for path in agent.hostPaths where inputs.hostPaths[path.value] == nil {
                let current: String
                do { current = try InputHashing.hostPath(path.value) } catch {
                    problems.append(ConfigProblem(error.description, at: path.position))
                    continue
                }
                inputs.hostPaths[path.value] = current
                guard let locked = lock.hostPaths[path.value] else {
                    problems.append(
                        ConfigProblem(
                            "host path '\(path.value)' is not locked (NAR hash \(current)); \(advice)",
                            at: path.position))
                    continue
                }
                if locked != current {
                    problems.append(
                        ConfigProblem(
                            "host path '\(path.value)' changed: keel.lock has \(locked), it now hashes to \(current); \(advice)",
                            at: path.position))
                }
            }
        }
        guard problems.isEmpty else { throw ConfigErrors(file: configuration.file, problems: problems) }
        return inputs
    }
}
