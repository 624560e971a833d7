import ArgumentParser

/// The root `keel` command: a reproducible, self-healing host for AI agents.
public struct KeelCommand: ParsableCommand {
    /// The command's description and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "A reproducible, self-healing host for AI agents, speaking Nix's store formats.",
        discussion: """
            Exit status: 0 on success, 1 on bad input or a failed operation (one line on stderr \
            says why), 2 on a usage error.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, EvalCommand.self, LockCommand.self, SwitchCommand.self, RollbackCommand.self,
            DaemonCommand.self,
            GenerationsCommand.self, DiffCommand.self, BuildCommand.self, LogCommand.self, StoreCommand.self,
            NarCommand.self, HashCommand.self, DrvCommand.self, NarinfoCommand.self, LedgerCommand.self,
            TestAgentCommand.self,
            StatusCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self, LogsCommand.self,
            EventsCommand.self,
            DemoCommand.self, RunCommand.self, ShellCommand.self, ImageCommand.self, CacheCommand.self,
            CopyCommand.self,
        ]
    )

    /// Creates the command (used by the argument parser).
    public init() {}
}
