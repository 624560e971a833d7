import Foundation
import KeelLinux

/// How to run pip, the one program Keel starts to reach PyPI: the host's `python3 -m pip` by
/// default, or another interpreter's or a `pip` program's path (a runtime's own pip).
///
/// pip runs with this process's environment (so proxies, `PIP_INDEX_URL` and the rest of the
/// user's pip configuration apply), quietly (`-qqq`: only its own error lines reach the
/// terminal), and writes a verbose log that Keel reads to explain a failure. It is started with
/// KeelLinux's `ProcessSpawn` (no signal blocked in it, whichever thread runs it) and waited for
/// by pid.
public struct PipCommand: Sendable, Equatable {
    /// The program and the arguments that start pip (`["python3", "-m", "pip"]`); a program
    /// without a `/` is looked up in `PATH`.
    public let executable: [String]
    /// Options added to every pip command (`--no-cache-dir`, `--cache-dir DIR`); the user's pip
    /// configuration applies besides.
    public let options: [String]

    /// Runs pip as `executable` says, with `options` added to each command.
    public init(executable: [String] = ["python3", "-m", "pip"], options: [String] = []) {
        self.executable = executable
        self.options = options
    }

    /// Runs pip with `arguments` (a command such as `download` first) and waits for it,
    /// blocking the calling thread; pip's verbose log goes to `logFile`, which must not exist.
    ///
    /// - Throws: `RuntimeError` when the program cannot be found or started (the message says
    ///   how to install pip). pip's own failure is not thrown: it is in the returned run.
    func run(_ arguments: [String], logFile: String) throws(RuntimeError) -> PipRun {
        let argv =
            executable + arguments + options + ["-qqq", "--log", logFile, "--disable-pip-version-check", "--no-input"]
        let termination = try Self.start(argv)
        let log = PipRun.readLog(at: logFile)
        if log == nil, termination != .exited(0) {
            throw RuntimeError(
                "pip is not installed: '\(executable.joined(separator: " "))' ended (\(termination)) before pip "
                    + "started; its messages are above (apt-get install python3-pip)")
        }
        return PipRun(termination: termination, log: log)
    }

    /// The `MAJOR.MINOR` version of the Python that runs pip, when the command is
    /// `PYTHON -m pip` (that Python writes it to `scratchFile`); `nil` for a `pip` program.
    ///
    /// pip chooses wheels for `--python-version`, but evaluates the environment markers of
    /// dependencies (`tomli; python_version < "3.11"`) for the Python it runs on, so a resolution
    /// is only right when the two agree.
    ///
    /// - Throws: `RuntimeError` when the interpreter cannot be run or does not say its version.
    func interpreterVersion(scratchFile: String) throws(RuntimeError) -> String? {
        guard executable.count == 3, executable[1] == "-m", executable[2] == "pip" else { return nil }
        let script = "import sys; open(sys.argv[1], 'w').write('%d.%d' % sys.version_info[:2])"
        let termination = try Self.start([executable[0], "-c", script, scratchFile])
        guard termination == .exited(0), let bytes = try? FileSystem.readWholeFile(scratchFile, limit: 64) else {
            throw RuntimeError(
                "'\(executable[0])' did not tell its Python version (\(termination)); its messages are above")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `argv` (its program looked up in `PATH`) to its end, blocking the calling thread.
    private static func start(_ argv: [String]) throws(RuntimeError) -> Termination {
        guard let program = argv.first, !program.isEmpty else {
            throw RuntimeError("the pip command is empty: give a program such as python3 -m pip")
        }
        guard let path = find(program) else {
            throw RuntimeError("pip is not installed: '\(program)' is not in PATH (apt-get install python3-pip)")
        }
        let pid: Int32
        do {
            pid = try ProcessSpawn.start(path, arguments: argv)
        } catch {
            throw RuntimeError(
                "pip is not installed: cannot run '\(path)': \(error.reason) (apt-get install python3-pip)")
        }
        do {
            return try ProcessControl.wait(pid)
        } catch {
            throw RuntimeError("cannot wait for '\(program)' (pid \(pid)): \(error)")
        }
    }

    /// `program` itself when it holds a `/`, else the first `PATH` directory holding it.
    private static func find(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            guard let status = try? FileSystem.status(of: Array(candidate.utf8)) else { continue }
            if status.kind == .symlink || (status.kind == .regular && status.permissions & 0o111 != 0) {
                return candidate
            }
        }
        return nil
    }
}
