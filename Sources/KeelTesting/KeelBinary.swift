import Foundation

/// The `keel` executable the tests run: `KEEL_BINARY` when set, else the debug build next to
/// this package's sources.
public enum KeelBinary {
    /// The executable's path.
    public static var path: String {
        if let override = Environment.value("KEEL_BINARY") { return override }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent(".build/debug/keel").path
            }
            directory.deleteLastPathComponent()
        }
        return "keel"
    }

    /// Runs keel with `arguments` and optional stdin.
    public static func run(_ arguments: [String], input: [UInt8] = [], directory: String? = nil) throws
        -> ProcessResult
    {
        try ProcessRunner.run(path, arguments, input: input, directory: directory)
    }
}
