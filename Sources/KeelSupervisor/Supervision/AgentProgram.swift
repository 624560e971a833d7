import KeelLinux

/// Where an agent's program is: the path its command names, or the first executable of that
/// name on its PATH, as execvp would find it.
public enum AgentProgram {
    /// `program` itself when it names a path, else the first executable file of that name in
    /// `searchPath`, as execvp would find it — in the runtime environment `inside` when the
    /// agent runs in one (the path returned is the one its view has).
    public static func resolve(_ program: String, searchPath: String?, agent: String, inside environment: String? = nil)
        throws(SupervisorError) -> String
    {
        if program.contains("/") { return program }
        for directory in (searchPath ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + program
            let onHost = (environment ?? "") + candidate
            if let status = try? FileSystem.status(of: Array(onHost.utf8)), status.kind == .regular,
                status.permissions & 0o111 != 0
            {
                return candidate
            }
        }
        let place = environment.map { " in its runtime \($0)" } ?? ""
        throw SupervisorError("agent \(agent): '\(program)' is not in its PATH (\(searchPath ?? "none"))\(place)")
    }
}
