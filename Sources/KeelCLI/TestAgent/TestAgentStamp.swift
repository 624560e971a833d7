import KeelLinux

/// `keel test-agent stamp FILE`, the benchmark's child: appends `start NS` the moment it runs
/// and `exit NS` just before it exits with status 0 (`CLOCK_MONOTONIC` nanoseconds), each line
/// one `O_APPEND` write so the lines of several processes never mix.
///
/// `KeelMain` runs it before the argument parser exists (`fileArgument(in:)`), so a restart
/// costs only what starting the binary costs.
enum TestAgentStamp {
    /// The FILE of arguments that are exactly `test-agent stamp FILE` (FILE not an option);
    /// nil for anything else.
    static func fileArgument(in arguments: [String]) -> String? {
        guard arguments.count == 3, arguments[0] == "test-agent", arguments[1] == "stamp", !arguments[2].hasPrefix("-")
        else { return nil }
        return arguments[2]
    }

    /// Stamps `file` and exits: 0 after the `exit` line, 1 (saying why on stderr) when the
    /// file cannot be written.
    static func run(file: String) -> Never {
        let started = MonotonicClock.now()
        do {
            let fd = try FileSystem.openForAppending(Array(file.utf8), in: FileSystem.currentDirectory)
            try append("start \(started)\n", to: fd.rawValue)
            try append("exit \(MonotonicClock.now())\n", to: fd.rawValue)
        } catch {
            StandardStreams.writeError("keel: test-agent stamp: \(error)\n")
            ProcessEnd.exitNow(1)
        }
        ProcessEnd.exitNow(0)
    }

    /// One `write(2)` of `line` (a regular file opened `O_APPEND` takes it whole, at its end).
    private static func append(_ line: String, to fd: Int32) throws(SystemError) {
        var failure: SystemError?
        Array(line.utf8).withUnsafeBytes { bytes in
            do throws(SystemError) { try SystemCall.writeAll(fd, bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
