import KeelLinux

/// The processes an agent starts to test that its supervisor ends them all: grandchildren that
/// outlive it, and a fork bomb for a pids limit. Each is keel itself, executed again as a
/// `test-agent --hang`.
struct TestAgentDescendants {
    /// The agent's name; descendants print as `NAME-grandchild` and `NAME-bomb`.
    let name: String

    /// This executable, whatever its path was.
    private static let executable = "/proc/self/exe"

    /// Starts `count` grandchildren that ignore SIGTERM and never exit; with `newSession` each
    /// calls `setsid` so a signal to the agent's process group misses it.
    ///
    /// - Returns: their pids.
    /// - Throws: `CLIError` when one cannot be started (those started before keep running).
    func forkGrandchildren(_ count: Int, newSession: Bool) throws(CLIError) -> [Int32] {
        var arguments = ["test-agent", "--name", "\(name)-grandchild", "--hang", "--ignore-term"]
        if newSession { arguments.append("--setsid") }
        var pids: [Int32] = []
        for index in 1...count {
            do {
                pids.append(try start(arguments))
            } catch {
                throw CLIError("cannot fork grandchild \(index) of \(count): \(error.reason)")
            }
        }
        return pids
    }

    /// Tries to start `count` children that never exit, stopping at the first failure (the
    /// pids limit).
    ///
    /// - Returns: the pids of those started, and the line that reports them.
    func forkBomb(_ count: Int) -> (pids: [Int32], report: String) {
        var pids: [Int32] = []
        for _ in 0..<count {
            do {
                pids.append(try start(["test-agent", "--name", "\(name)-bomb", "--hang"]))
            } catch {
                let failure = "child \(pids.count + 1) failed: \(error.reason) (\(error.call))"
                return (pids, "fork-bomb: started \(pids.count) of \(count) children; \(failure)")
            }
        }
        return (pids, "fork-bomb: started \(count) of \(count) children")
    }

    private func start(_ arguments: [String]) throws(SystemError) -> Int32 {
        try ProcessSpawn.start(Self.executable, arguments: [CommandLine.arguments.first ?? "keel"] + arguments)
    }
}
