import Foundation
import KeelBuild
import KeelLinux
import KeelRuntime
import KeelSandbox
import KeelStore
import KeelSystem

/// What `keel run` and `keel shell` share: build a runtime package of keel.toml (as locked),
/// then run a program in its view (`RuntimeView`) with the terminal, in the current directory
/// (bound read-write at its own path), as the caller, and exit with the program's status.
struct RuntimeLaunch {
    let config: ConfigOptions
    let store: StoreOptions
    let package: String

    /// PATH inside the view.
    static let searchPath = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"]

    /// Builds the runtime when needed and returns its environment's path, with the lock that
    /// keeps the collector off it while the program runs.
    func environment() throws -> (path: String, hold: GarbageCollectionLock, store: LocalStore) {
        let evaluation = try HostEvaluation(config, updateLock: false)
        let local = try store.open()
        let plan = try evaluation.plan(for: local.layout.storeDirectory)
        guard let packagePlan = plan.packages.first(where: { $0.name == package }) else {
            let names = plan.packages.map(\.name).sorted().joined(separator: ", ")
            throw CLIError("keel.toml has no package '\(package)' (its packages: \(names.isEmpty ? "none" : names))")
        }
        guard case .runtime = packagePlan.recipe else {
            throw CLIError(
                "package '\(package)' is not a runtime; keel run and keel shell take a package with debian = [...] "
                    + "or python = \"…\"")
        }
        let hold = try storeOperation { try local.lockAgainstCollection() }
        let terminal = isatty(STDERR_FILENO) == 1
        let realiser = SystemRealiser(
            store: local, scheduler: BuildScheduler(store: local, settings: BuildSettings())
        ) { line in
            if terminal { StandardErrorLine.write("keel: " + line) }
        }
        do { _ = try realiser.realise(packages: [packagePlan]) } catch let error as RuntimeError {
            throw CLIError(error.message)
        } catch let error as EvaluationError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("\(error)")
        }
        return (local.fullPath(packagePlan.path), hold, local)
    }

    /// Runs `arguments` (a program named by path inside the view, or found on its PATH) and
    /// exits with its status (128 + N when signal N ended it).
    func run(_ arguments: [String]) throws -> Never {
        guard let name = arguments.first, !name.isEmpty else { throw CLIError("no program to run") }
        let (environment, hold, local) = try environment()
        let program = try Self.locate(name, in: environment, runtime: package)
        let directory = FileManager.default.currentDirectoryPath
        let insideView = ["/usr", "/bin", "/lib", "/etc", "/proc", "/dev", "/sbin", "/lib64"].contains {
            directory == $0 || directory.hasPrefix($0 + "/")
        }
        let workingDirectory = directory == "/" || insideView ? "/" : directory
        var mounts: [SandboxSpec.Mount] = []
        if workingDirectory != "/" {
            mounts.append(.init(source: directory, target: directory, readOnly: false))
        }
        let uid = geteuid()
        let gid = getegid()
        let userName = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "user"
        var variables = ["PATH": Self.searchPath.joined(separator: ":"), "HOME": workingDirectory, "USER": userName]
        for key in ["TERM", "LANG", "LC_ALL", "TZ", "COLUMNS", "LINES"] {
            if let value = ProcessInfo.processInfo.environment[key] { variables[key] = value }
        }
        let emptyRoot = local.layout.root + "/run/view-root"
        do { try FileSystem.makeDirectories(emptyRoot, permissions: 0o755) } catch {
            throw CLIError("cannot create \(emptyRoot): \(error)")
        }
        var spec: SandboxSpec
        do {
            spec = try RuntimeView(environment: environment).sandboxSpec(
                program: program, arguments: Array(arguments.dropFirst()), environment: variables,
                workingDirectory: workingDirectory, extraMounts: mounts, user: (uid, gid, userName),
                home: workingDirectory, hostname: HostName.current, emptyRoot: emptyRoot)
        } catch {
            throw CLIError(error.message)
        }
        spec.standardInput = STDIN_FILENO
        spec.standardOutput = STDOUT_FILENO
        spec.standardError = STDERR_FILENO
        spec.newSession = false
        // The terminal's Ctrl-C and Ctrl-\ are the program's to handle; keel waits for it.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        let process: SandboxedProcess
        do { process = try Sandbox.spawn(spec) } catch {
            throw CLIError("cannot start \(name) in runtime '\(package)': \(error)")
        }
        let termination: Termination
        do { termination = try process.wait() } catch {
            throw CLIError("cannot wait for \(name): \(error)")
        }
        withExtendedLifetime(hold) {}
        KeelMain.flushStandardOutput()
        switch termination {
        case .exited(let status): exit(status)
        case .signaled(let signal): exit(128 + signal)
        }
    }

    /// `name` as a path inside the view: itself when it holds a `/` (it must exist there), else
    /// the first executable of that name on the view's PATH.
    static func locate(_ name: String, in environment: String, runtime: String) throws -> String {
        if name.contains("/") {
            guard name.hasPrefix("/") else {
                throw CLIError("give a program by name or by absolute path, not '\(name)'")
            }
            return name
        }
        for directory in searchPath {
            let candidate = environment + directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return directory + "/" + name }
        }
        throw CLIError("'\(name)' is not in runtime '\(runtime)' (looked in \(searchPath.joined(separator: ", ")))")
    }
}
