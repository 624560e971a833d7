import KeelFormats

/// Reads `[agents.NAME]` tables.
enum AgentDecoder {
    /// The keys of an agent table.
    static let agentKeys = [
        "command", "env", "packages", "host_paths", "restart", "health", "ready", "ready_timeout", "watchdog", "limits",
        "isolation", "depends_on", "stop_timeout", "user", "working_dir", "state",
    ]

    /// Every valid `[agents.*]` table, sorted by name; problems go to `log`.
    static func agents(_ top: TableReader, safeSwitch: SafeSwitchSpec, log: ProblemLog) -> [AgentSpec] {
        guard let table = top.table("agents") else { return [] }
        var result: [AgentSpec] = []
        for (name, node) in table.entries {
            guard AgentSpec.isValidName(name) else {
                log.add("invalid agent name '\(name)': use \(AgentSpec.nameRule)", atKeyOf: table.path(name))
                continue
            }
            guard let reader = TableReader(node, at: table.path(name), log: log) else { continue }
            if let agent = agent(name, reader) { result.append(agent) }
        }
        return result
    }

    /// Environment variable names: a letter or '_', then letters, digits or '_'.
    static func isValidVariableName(_ name: String) -> Bool { StructuredAttributes.isShellName(name) }

    private static func agent(_ name: String, _ table: TableReader) -> AgentSpec? {
        let log = table.log
        table.rejectUnknownKeys(agentKeys, context: "agent '\(name)'")
        let command = table.strings("command")
        if !table.has("command") {
            log.add("agent '\(name)' needs a command (command = [\"program\", \"arg\", …])", at: table.path)
        } else if command?.isEmpty == true {
            log.add("'agents.\(name).command' must not be empty", at: table.path("command"))
        }
        let environment = table.stringTable("env") ?? []
        for (key, _) in environment where !isValidVariableName(key) {
            log.add("invalid environment variable name '\(key)'", atKeyOf: table.path("env") + [.key(key)])
        }
        let hostPaths = table.strings("host_paths") ?? []
        for path in hostPaths where !path.value.hasPrefix("/") {
            log.add("host path '\(path.value)' must be absolute", at: path.position)
        }
        let health = table.table("health").flatMap { healthCheck($0, agent: name) }
        let ready = table.choice("ready", of: Readiness.self) ?? .started
        if ready == .health, health == nil, !table.has("health") {
            log.add("agent '\(name)' is ready on \"health\" but has no health check", at: table.path("ready"))
        }
        let watchdog = HostDecoder.positive(table, "watchdog")
        let workingDirectory = table.string("working_dir")
        if let workingDirectory, !workingDirectory.value.hasPrefix("/") {
            log.add("working_dir '\(workingDirectory.value)' must be absolute", at: workingDirectory.position)
        }
        let user = table.string("user")
        if let user, user.value.isEmpty || user.value.contains(":") || user.value.contains("/") {
            log.add("invalid user \"\(user.value)\": give a user name or a numeric id", at: user.position)
        }
        let agent = AgentSpec(
            name: name, position: table.position, command: command ?? [], environment: environment,
            packages: table.strings("packages") ?? [], hostPaths: hostPaths,
            restart: table.table("restart").map(restart) ?? .defaults, health: health, ready: ready,
            readyTimeout: HostDecoder.positive(table, "ready_timeout"), watchdog: watchdog,
            limits: table.table("limits").map(limits) ?? .none,
            isolation: table.choice("isolation", of: Isolation.self) ?? .none,
            dependsOn: table.strings("depends_on") ?? [],
            stopTimeout: HostDecoder.positive(table, "stop_timeout") ?? ConfigDuration(milliseconds: 10_000),
            user: user?.value, workingDirectory: workingDirectory?.value,
            state: table.choice("state", of: StatePolicy.self) ?? .keep)
        return command?.isEmpty == false ? agent : nil
    }

    private static func restart(_ table: TableReader) -> RestartSpec {
        table.rejectUnknownKeys(["policy", "initial_backoff", "max_backoff"], context: "restart")
        let defaults = RestartSpec.defaults
        // Zero is allowed: no pause between restarts, as runit and s6 can be set up to do.
        let initial = table.duration("initial_backoff") ?? defaults.initialBackoff
        let maximum = table.duration("max_backoff") ?? max(defaults.maximumBackoff, initial)
        if maximum < initial {
            table.log.add(
                "max_backoff (\(maximum)) is shorter than initial_backoff (\(initial))", at: table.path("max_backoff"))
        }
        return RestartSpec(
            policy: table.choice("policy", of: RestartSpec.Policy.self) ?? defaults.policy, initialBackoff: initial,
            maximumBackoff: max(maximum, initial))
    }

    private static func healthCheck(_ table: TableReader, agent: String) -> HealthSpec? {
        let log = table.log
        table.rejectUnknownKeys(["http", "tcp", "exec", "interval", "timeout", "failure_threshold"], context: "health")
        let kinds = ["http", "tcp", "exec"].filter(table.has)
        guard let kind = kinds.first else {
            log.add("health check of '\(agent)' needs one of http, tcp or exec", at: table.path)
            return nil
        }
        for other in kinds.dropFirst() {
            log.add("health check has both '\(kind)' and '\(other)'; give one", atKeyOf: table.path(other))
        }
        let interval = HostDecoder.positive(table, "interval") ?? ConfigDuration(milliseconds: 10_000)
        let timeout = HostDecoder.positive(table, "timeout") ?? ConfigDuration(milliseconds: 5_000)
        let threshold = table.integer("failure_threshold", in: 1...10_000) ?? 3
        let probe: HealthSpec.Probe?
        switch kind {
        case "http":
            probe = table.string("http").flatMap { url in
                guard url.value.hasPrefix("http://") || url.value.hasPrefix("https://") else {
                    log.add("health http \"\(url.value)\" must be an http:// or https:// URL", at: url.position)
                    return nil
                }
                return .http(url.value)
            }
        case "tcp":
            probe = table.string("tcp").flatMap { address in
                guard let colon = address.value.lastIndex(of: ":"),
                    let port = Int(address.value[address.value.index(after: colon)...]), (1...65535).contains(port),
                    colon != address.value.startIndex
                else {
                    log.add("health tcp \"\(address.value)\" must be HOST:PORT (port 1-65535)", at: address.position)
                    return nil
                }
                var host = String(address.value[..<colon])
                if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                return .tcp(host: host, port: port)
            }
        default:
            probe = table.strings("exec").flatMap { argv in
                guard !argv.isEmpty else {
                    log.add("health exec must not be empty", at: table.path("exec"))
                    return nil
                }
                return .exec(argv)
            }
        }
        guard let probe, kinds.count == 1 else { return nil }
        return HealthSpec(probe: probe, interval: interval, timeout: timeout, failureThreshold: threshold)
    }

    private static func limits(_ table: TableReader) -> LimitsSpec {
        table.rejectUnknownKeys(["memory", "pids", "cpu", "open_files"], context: "limits")
        let memory = table.size("memory")
        if let memory, memory.bytes < 1 << 20 {
            table.log.add("'\(renderKeyPath(table.path("memory")))' must be at least 1M", at: table.path("memory"))
        }
        return LimitsSpec(
            memory: memory, pids: table.integer("pids", in: 1...4_194_304), cpuMillis: cpu(table),
            openFiles: table.integer("open_files", in: 1...1_048_576))
    }

    /// `cpu = "1.5"` (or a number): CPUs' worth of time, in thousandths.
    private static func cpu(_ table: TableReader) -> Int? {
        guard let node = table.value("cpu") else { return nil }
        let value: Double?
        switch node {
        case .string(let text): value = Double(text)
        case .integer(let number): value = Double(number)
        case .float(let number): value = number
        default: value = nil
        }
        guard let value, value.isFinite, value >= 0.001, value <= 4096 else {
            table.log.add(
                "'\(renderKeyPath(table.path("cpu")))' must be a number of CPUs between 0.001 and 4096, such as \"1.5\"",
                at: table.path("cpu"))
            return nil
        }
        return Int((value * 1000).rounded())
    }
}
