import ArgumentParser
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The `keel` program: parses the command line, runs the command, and maps errors to exit statuses.
public enum KeelMain {
    /// Runs keel with the given arguments (without the program name) and exits.
    public static func run(_ arguments: some Collection<String>) -> Never {
        let arguments = Array(arguments)
        if let file = TestAgentStamp.fileArgument(in: arguments) { TestAgentStamp.run(file: file) }
        SignalMask.unblockAll()
        if let flip = ProfileFlip(arguments: arguments) {
            do { try flip.run() } catch { exitFor(error) }
            succeed()
        }
        if arguments.first == "daemon",
            let plain = PlainCommandLine(arguments.dropFirst(), options: ["--root", "--store-dir"])
        {
            do {
                try DaemonCommand.run(
                    layout: try StoreOptions.layout(root: plain.values["--root"], storeDir: plain.values["--store-dir"])
                )
            } catch { exitFor(error) }
            succeed()
        }
        var command: any ParsableCommand
        do {
            command = try KeelCommand.parseAsRoot(arguments)
        } catch {
            exitForParserError(error)
        }
        do { try command.run() } catch { exitFor(error) }
        succeed()
    }

    /// Exits 0 once the output is out.
    private static func succeed() -> Never {
        flushStandardOutput()
        exit(ExitStatus.success.rawValue)
    }

    /// Exits with the status a command's `error` means, saying why on stderr.
    private static func exitFor(_ error: any Error) -> Never {
        flushStandardOutput()
        switch error {
        case let error as SilentExit:
            exit(error.status.rawValue)
        case let error as CLIError:
            writeStandardError("keel: \(error.message)\n")
            exit(error.status.rawValue)
        default:
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
