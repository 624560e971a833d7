import Foundation
import KeelFormats

/// Reading the small text files the narinfo commands take.
enum TextFile {
    /// The file's contents as UTF-8.
    ///
    /// - Throws: `CLIError` naming the file.
    static func read(_ path: String) throws -> String {
        let bytes = try UserFile.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw CLIError("'\(path)' is not UTF-8 text") }
        return text
    }

    /// Reads and parses a narinfo file.
    static func narinfo(_ path: String) throws -> NarInfo {
        do { return try NarInfo(parsing: try read(path)) } catch let error as NarInfoError {
            throw CLIError("\(path): \(error)")
        }
    }
}
