import ArgumentParser
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The `keel` program: parses the command line, runs the command, and maps errors to exit statuses.
public enum KeelMain {
    /// Runs keel with the given arguments (without the program name) and exits.
    public static func run(_ arguments: some Collection<String>) -> Never {
        SignalMask.unblockAll()
        var command: any ParsableCommand
        do {
            command = try KeelCommand.parseAsRoot(Array(arguments))
        } catch {
            exitForParserError(error)
        }
        do {
            try command.run()
            flushStandardOutput()
            exit(ExitStatus.success.rawValue)
        } catch let error as SilentExit {
            flushStandardOutput()
            exit(error.status.rawValue)
        } catch let error as CLIError {
            flushStandardOutput()
            writeStandardError("keel: \(error.message)\n")
            exit(error.status.rawValue)
        } catch {
            flushStandardOutput()
            exitForParserError(error)
        }
    }

    /// Exits for an error the argument parser knows (help, validation) or any other error.
    private static func exitForParserError(_ error: any Error) -> Never {
        let code = KeelCommand.exitCode(for: error)
        let message = KeelCommand.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            flushStandardOutput()
            exit(ExitStatus.success.rawValue)
        }
        if code == .validationFailure {
            writeStandardError(message + "\n")
            exit(ExitStatus.usage.rawValue)
        }
        writeStandardError("keel: \(message.isEmpty ? String(describing: error) : message)\n")
        exit(ExitStatus.failure.rawValue)
    }

    static func flushStandardOutput() {
        StandardStreams.flushAll()
    }

    static func writeStandardError(_ text: String) {
        StandardStreams.writeError(text)
    }
}
