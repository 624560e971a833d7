import Foundation
import KeelFormats

/// Reading the small text files the narinfo commands take.
enum TextFile {
    /// The file's contents as UTF-8.
    ///
    /// - Throws: `CLIError` naming the file.
    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(
                "cannot read '\(path)': \(FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("'\(path)' is not UTF-8 text") }
        return text
    }

    /// Reads and parses a narinfo file.
    static func narinfo(_ path: String) throws -> NarInfo {
        do { return try NarInfo(parsing: try read(path)) } catch let error as NarInfoError {
            throw CLIError("\(path): \(error)")
        }
    }
}
