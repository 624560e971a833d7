import Crypto
import Foundation
import TOMLKit

/// Reads and validates keel.toml: TOML syntax (through TOMLKit), then every key, type, value and
/// reference, reporting all problems at once as `FILE:LINE:COL: message`.
public enum ConfigLoader {
    /// The largest keel.toml read: far beyond any real host's, small enough to refuse a mistake.
    public static let maximumSize = 16 << 20

    /// The one problem of a file larger than `maximumSize`, for a reader that stops reading there.
    public static func oversized(file: String) -> ConfigErrors {
        let message = "the file is larger than \(maximumSize >> 20) MiB"
        return ConfigErrors(file: file, problems: [ConfigProblem(message, at: SourcePosition(line: 1, column: 1))])
    }

    /// Validates `bytes` as a keel.toml named `file`, resolving relative paths against
    /// `directory`.
    public static func parse(_ bytes: [UInt8], file: String, directory: String) throws(ConfigErrors)
        -> HostConfiguration
    {
        let (root, index) = try document(bytes, file: file)
        let log = ProblemLog(index: index, bytes: bytes)
        let contentHash = "sha256-" + Data(SHA256.hash(data: bytes)).base64EncodedString()
        guard let top = TableReader(root, at: [], log: log) else {
            throw ConfigErrors(file: file, problems: log.problems)
        }
        top.rejectUnknownKeys(["host", "packages", "agents", "safeswitch"], context: "keel.toml")
        let host = HostDecoder.host(top, log: log)
        let safeSwitch = HostDecoder.safeSwitch(top, log: log)
        let packages = PackageDecoder.packages(top, directory: directory, log: log)
        let agents = AgentDecoder.agents(top, safeSwitch: safeSwitch, log: log)
        func declared(_ key: String) -> Set<String> { Set(top.value(key)?.entries?.map(\.key) ?? []) }
        ReferenceChecker(
            packages: packages, agents: agents, declaredPackages: declared("packages"),
            declaredAgents: declared("agents"), log: log, hostEnvironment: host?.environment ?? []
        ).check()
        guard log.isEmpty, let host else { throw ConfigErrors(file: file, problems: log.problems) }
        return HostConfiguration(
            file: file, directory: directory, contentHash: contentHash, host: host, packages: packages, agents: agents,
            safeSwitch: safeSwitch)
    }

    /// Parses `bytes` as TOML into a node tree and its source index; a syntax error (or bytes
    /// that are not UTF-8) is the one problem reported.
    static func document(_ bytes: [UInt8], file: String) throws(ConfigErrors) -> (TOMLNode, SourceIndex) {
        func fail(_ message: String, _ position: SourcePosition) -> ConfigErrors {
            ConfigErrors(file: file, problems: [ConfigProblem(message, at: position)])
        }
        guard bytes.count <= maximumSize else { throw oversized(file: file) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw fail("the file is not valid UTF-8", position(ofByte: firstInvalidUTF8(bytes), in: bytes))
        }
        if let zero = bytes.firstIndex(of: 0) {
            throw fail("a NUL character is not allowed in TOML", position(ofByte: zero, in: bytes))
        }
        if let key = KeylessHeaderCheck.firstKeylessHeader(in: bytes) {
            throw fail("a table header needs a key after its '[', as in [agents.web]", position(ofByte: key, in: bytes))
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            let begin = error.source.begin
            throw fail(error.description, clamped(SourcePosition(line: begin.line, column: begin.column), in: bytes))
        } catch {
            throw fail("cannot parse the file: \(error)", SourcePosition(line: 1, column: 1))
        }
        let index = SourceIndex(text: text)
        do { return (try TOMLNode(table), index) } catch {
            let message = "tables and arrays are nested more than \(TOMLNode.maximumDepth) levels deep"
            throw fail(message, index.position(of: error.path))
        }
    }

    /// The line and column (in Unicode scalars) of byte `offset`, for problems found in bytes.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> SourcePosition {
        var line = 1
        var column = 1
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // line 1 starts after a byte order mark
        for byte in bytes[min(start, offset)..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourcePosition(line: line, column: column)
    }

    /// `position` moved onto the text when it lies past a line's end: toml++ places an error at the
    /// end of the file one column past the last line's end.
    static func clamped(_ position: SourcePosition, in bytes: [UInt8]) -> SourcePosition {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let line = min(max(1, position.line), lines.count)
        var width = lines[line - 1].count { $0 & 0xC0 != 0x80 }
        if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { width -= 1 }
        return SourcePosition(line: line, column: min(max(1, position.column), width + 1))
    }

    /// The offset of the first byte that breaks UTF-8 (the end when none does).
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        return offset
    }
}
