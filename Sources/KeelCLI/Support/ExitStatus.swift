/// The exit statuses every keel command uses. Exit numbers appear only here.
public enum ExitStatus: Int32, Sendable {
    /// The command did what was asked.
    case success = 0
    /// Bad input or a failed operation: one line on stderr says why.
    case failure = 1
    /// The command line itself is wrong: unknown flag, missing argument, bad combination.
    case usage = 2
    /// Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
    case interrupted = 130
}
