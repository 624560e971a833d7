import KeelLinux

/// Reading a file a user named on the command line.
enum UserFile {
    /// The file's bytes.
    ///
    /// - Throws: `CLIError` naming the file and the system's reason (`no such file or
    ///   directory`, `permission denied`, `is a directory`…).
    static func read(_ path: String) throws -> [UInt8] {
        do { return try FileSystem.readWholeFile(path) } catch { throw CLIError(message(path, error)) }
    }

    /// "cannot read 'PATH': reason".
    static func message(_ path: String, _ error: SystemError) -> String {
        "cannot read '\(path)': \(reason(error))"
    }

    /// The system's reason for `error`, as strerror says it, lower-cased.
    static func reason(_ error: SystemError) -> String {
        let reason = error.reason
        return reason.prefix(1).lowercased() + reason.dropFirst()
    }
}
