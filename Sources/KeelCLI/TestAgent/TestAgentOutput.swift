import KeelLinux

/// The lines a test agent prints on stdout, `NAME[PID]: text`: each one a single `write(2)`,
/// so lines from several threads (and from descendants sharing the stream) never interleave,
/// and none waits in a buffer when the agent ends abruptly.
struct TestAgentOutput: Sendable {
    /// `NAME[PID]: `.
    let prefix: String

    /// Output for an agent called `name`.
    init(name: String) {
        prefix = "\(name)[\(ProcessTree.ownPID)]: "
    }

    /// Prints one line (failures are ignored: there is nowhere left to report them).
    func line(_ text: String) {
        var line = prefix + text + "\n"
        line.withUTF8 { _ = try? SystemCall.writeAll(1, UnsafeRawBufferPointer($0)) }
    }
}
