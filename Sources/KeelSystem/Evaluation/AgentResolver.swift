import KeelConfig
import KeelFormats

/// Resolves agents into the manifest: `${packages.…}` expanded, PATH and environment put
/// together, defaults filled in, durations in milliseconds.
struct AgentResolver {
    let configuration: HostConfiguration
    let inputs: LockedInputs
    let storeDirectory: StoreDirectory

    /// PATH's tail for an agent that sees the host (`isolation = "none"`).
    static let hostPath = "/usr/local/bin:/usr/bin:/bin"
    /// PATH's tail for an agent in a runtime's view.
    static let runtimePath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"

    /// The manifest, given every package's plan.
    func manifest(packages: [String: PackagePlan]) -> SystemManifest {
        let host = configuration.host
        let safeSwitch = configuration.safeSwitch
        var manifestPackages: [String: SystemManifest.Package] = [:]
        for spec in configuration.packages {
            guard let plan = packages[spec.name] else { continue }
            var url: String?
            if case .fetch(let fetch) = spec.kind { url = fetch.url.value }
            manifestPackages[spec.name] = SystemManifest.Package(
                path: storeDirectory.fullPath(plan.path), kind: spec.kindName,
                drv: plan.derivationPath.map { storeDirectory.fullPath($0) }, url: url)
        }
        var agents: [String: SystemManifest.Agent] = [:]
        for agent in configuration.agents {
            agents[agent.name] = resolve(agent, packages: manifestPackages)
        }
        return SystemManifest(
            version: SystemManifest.currentVersion,
            host: .init(
                name: host.name, system: host.system, logMaxSize: host.logMaxSize.bytes, logFiles: host.logFiles),
            packages: manifestPackages, agents: agents,
            safeSwitch: .init(
                probationMs: safeSwitch.probation.milliseconds, crashLoopExits: safeSwitch.crashLoopExits,
                crashLoopWithinMs: safeSwitch.crashLoopWithin.milliseconds, unhealthyChecks: safeSwitch.unhealthyChecks,
                readyTimeoutMs: safeSwitch.readyTimeout.milliseconds))
    }

    private func resolve(_ agent: AgentSpec, packages: [String: SystemManifest.Package]) -> SystemManifest.Agent {
        var references: Set<String> = []
        let expand = { (text: String) -> String in
            for occurrence in (try? PackageReference.occurrences(in: text)) ?? [] {
                if let path = packages[occurrence.name]?.path { references.insert(path) }
            }
            return PackageReference.expand(text) { packages[$0]?.path }
        }
        let command = agent.command.map { expand($0.value) }
        var environment: [String: String] = [:]
        for (key, value) in configuration.host.environment { environment[key] = expand(value.value) }
        for (key, value) in agent.environment { environment[key] = expand(value.value) }
        var searchPath: [String] = []
        var runtime: String?
        for name in agent.packages.map(\.value) {
            guard let package = packages[name] else { continue }
            references.insert(package.path)
            if package.kind == "debian" || package.kind == "python" {
                // Its programs are in the view's /usr/bin, /bin...: the view is the runtime.
                runtime = package.path
            } else {
                searchPath.append(package.path + "/bin")
            }
        }
        if let given = environment["PATH"] {
            searchPath.append(given)
        } else if runtime != nil {
            searchPath.append(Self.runtimePath)
        } else if agent.isolation == .none {
            searchPath.append(Self.hostPath)
        }
        // No PATH at all rather than an empty one, which execvp would read as the working directory.
        if !searchPath.isEmpty { environment["PATH"] = searchPath.joined(separator: ":") }
        var health: SystemManifest.Health?
        if let check = agent.health {
            health = SystemManifest.Health(
                intervalMs: check.interval.milliseconds, timeoutMs: check.timeout.milliseconds,
                failureThreshold: check.failureThreshold)
            switch check.probe {
            case .http(let url): health?.http = url
            case .tcp(let host, let port): health?.tcp = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .exec(let argv): health?.exec = argv.map { expand($0.value) }
            }
        }
        var hostPaths: [String: String] = [:]
        for path in agent.hostPaths { hostPaths[path.value] = inputs.hostPaths[path.value] ?? "" }
        return SystemManifest.Agent(
            command: command, env: environment, packages: agent.packages.map(\.value), references: references.sorted(),
            hostPaths: hostPaths,
            restart: .init(
                policy: agent.restart.policy.rawValue, initialBackoffMs: agent.restart.initialBackoff.milliseconds,
                maxBackoffMs: agent.restart.maximumBackoff.milliseconds),
            health: health, ready: agent.ready.rawValue,
            readyTimeoutMs: (agent.readyTimeout ?? configuration.safeSwitch.readyTimeout).milliseconds,
            watchdogMs: agent.watchdog?.milliseconds,
            limits: .init(
                memory: agent.limits.memory?.bytes, pids: agent.limits.pids, cpuMillis: agent.limits.cpuMillis,
                openFiles: agent.limits.openFiles),
            isolation: agent.isolation.rawValue, dependsOn: agent.dependsOn.map(\.value),
            stopTimeoutMs: agent.stopTimeout.milliseconds, user: agent.user, workingDir: agent.workingDirectory,
            state: agent.state.rawValue, runtime: runtime)
    }
}
