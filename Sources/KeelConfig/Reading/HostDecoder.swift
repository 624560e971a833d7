import KeelFormats

/// Reads `[host]` and `[safeswitch]`.
enum HostDecoder {
    /// The keys of `[host]`.
    static let hostKeys = [
        "name", "system", "env", "log_max_size", "log_files", "substituters", "trusted_public_keys",
    ]
    /// The keys of `[safeswitch]`.
    static let safeSwitchKeys = ["probation", "crash_loop", "unhealthy_checks", "ready_timeout"]

    /// The platform derivations are built for when `[host] system` does not say.
    static var defaultSystem: String {
        #if arch(x86_64)
            "x86_64-linux"
        #elseif arch(arm64)
            "aarch64-linux"
        #else
            "unknown-linux"
        #endif
    }

    /// `[host]`; nil (with a problem) when it or its name is missing or wrong.
    static func host(_ top: TableReader, log: ProblemLog) -> HostSpec? {
        guard top.has("host") else {
            log.add(
                "missing [host] table: every keel.toml names its host ([host] name = \"…\")",
                at: SourcePosition(line: 1, column: 1))
            return nil
        }
        guard let table = top.table("host") else { return nil }
        table.rejectUnknownKeys(hostKeys, context: "[host]")
        let name = table.string("name")
        if name == nil, !table.has("name") {
            log.add("[host] needs a name (name = \"…\"): the system path is named after it", at: table.path)
        }
        if let name, !Self.isValidHostName(name.value) {
            log.add(
                "invalid host name \"\(name.value)\": use letters, digits, '-', '_' and '.' (at most 63, not starting with '.' or '-')",
                at: name.position)
        }
        var environment: [(key: String, value: ConfigString)] = []
        for (key, value) in table.stringTable("env") ?? [] {
            if AgentDecoder.isValidVariableName(key) {
                environment.append((key, value))
            } else {
                log.add("invalid environment variable name '\(key)'", atKeyOf: table.path("env") + [.key(key)])
            }
        }
        let logFiles = table.integer("log_files", in: 1...1000)
        let logMaxSize = table.size("log_max_size")
        if let logMaxSize, logMaxSize.bytes < 4096 {
            log.add("'host.log_max_size' must be at least 4K", at: table.position("log_max_size"))
        }
        let substituters = (table.strings("substituters") ?? []).filter { url in
            guard let problem = SubstituterURL.problem(url.value) else { return true }
            log.add("substituter \"\(url.value)\": \(problem)", at: url.position)
            return false
        }
        let keys = (table.strings("trusted_public_keys") ?? []).filter { key in
            do throws(SigningKeyError) {
                _ = try SigningPublicKey(parsing: key.value)
                return true
            } catch {
                log.add("trusted public key \"\(key.value)\": \(error.description)", at: key.position)
                return false
            }
        }
        guard let name, isValidHostName(name.value) else { return nil }
        return HostSpec(
            name: name.value, system: table.string("system")?.value ?? defaultSystem, environment: environment,
            logMaxSize: logMaxSize ?? ByteSize(bytes: 10 << 20), logFiles: logFiles ?? 5,
            substituters: substituters.map(\.value), trustedPublicKeys: keys.map(\.value))
    }

    /// `[safeswitch]`, its defaults for what it does not say.
    static func safeSwitch(_ top: TableReader, log: ProblemLog) -> SafeSwitchSpec {
        let defaults = SafeSwitchSpec.defaults
        guard let table = top.table("safeswitch") else { return defaults }
        table.rejectUnknownKeys(safeSwitchKeys, context: "[safeswitch]")
        var exits = defaults.crashLoopExits
        var within = defaults.crashLoopWithin
        if let crashLoop = table.table("crash_loop") {
            crashLoop.rejectUnknownKeys(["exits", "within"], context: "safeswitch.crash_loop")
            exits = crashLoop.integer("exits", in: 1...10_000) ?? exits
            within = positive(crashLoop, "within") ?? within
        }
        return SafeSwitchSpec(
            probation: table.duration("probation") ?? defaults.probation, crashLoopExits: exits,
            crashLoopWithin: within,
            unhealthyChecks: table.integer("unhealthy_checks", in: 1...10_000)
                ?? defaults.unhealthyChecks,
            readyTimeout: positive(table, "ready_timeout") ?? defaults.readyTimeout)
    }

    /// A duration that must be more than zero.
    static func positive(_ table: TableReader, _ key: String) -> ConfigDuration? {
        guard let duration = table.duration(key) else { return nil }
        guard duration.milliseconds > 0 else {
            table.log.add("'\(renderKeyPath(table.path(key)))' must be longer than zero", at: table.position(key))
            return nil
        }
        return duration
    }

    /// Host names: what a file name and a store path name can both hold.
    static func isValidHostName(_ name: String) -> Bool {
        isSimpleName(name, maximumLength: 63)
    }

    /// Letters, digits, '-', '_' and '.', not starting with '.' or '-', 1 to `maximumLength`.
    static func isSimpleName(_ name: String, maximumLength: Int) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maximumLength else { return false }
        guard first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default: false
            }
        }
    }
}
