extension NarInfo {
    /// Parses narinfo text.
    ///
    /// Each line is `Key: value`; every line ends with a newline. Unknown keys are ignored.
    /// `StorePath`, `URL`, `NarHash` and a non-zero `NarSize` are required; hashes may be in any
    /// form Nix accepts; references must be store path base names.
    /// - Throws: `NarInfoError` naming the line.
    public init(parsing text: String) throws(NarInfoError) {
        var fields: [String: (line: Int, value: String)] = [:]
        var references: [String] = []
        var signatures: [String] = []
        guard text.hasSuffix("\n") || text.isEmpty else { throw .missingNewline }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let colon = line.firstIndex(of: ":") else { throw .malformedLine(line: number, String(line)) }
            let key = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
            switch key {
            case "Sig": signatures.append(String(value))
            case "References":
                references = value.split(separator: " ").map(String.init)
                for reference in references {
                    do { _ = try StorePath(baseName: reference) } catch {
                        throw .invalidValue(line: number, key: key, reference)
                    }
                }
                fields[key] = (number, String(value))
            default:
                if fields[key] != nil, Self.knownKeys.contains(key) { throw .duplicateKey(line: number, key) }
                fields[key] = (number, String(value))
            }
        }
        func required(_ key: String) throws(NarInfoError) -> (line: Int, value: String) {
            guard let field = fields[key] else { throw .missingKey(key) }
            return field
        }
        func hash(_ key: String, _ field: (line: Int, value: String)) throws(NarInfoError) -> NixHash {
            do { return try NixHash(parsing: field.value) } catch {
                throw .invalidValue(line: field.line, key: key, field.value)
            }
        }
        func number(_ key: String, _ field: (line: Int, value: String)) throws(NarInfoError) -> UInt64 {
            guard let value = UInt64(field.value) else { throw .invalidValue(line: field.line, key: key, field.value) }
            return value
        }
        let storePath = try required("StorePath")
        let url = try required("URL")
        guard !url.value.isEmpty else { throw .invalidValue(line: url.line, key: "URL", "") }
        let narHash = try hash("NarHash", try required("NarHash"))
        guard narHash.algorithm == .sha256 else {
            throw .invalidValue(line: fields["NarHash"]!.line, key: "NarHash", fields["NarHash"]!.value)
        }
        let narSizeField = try required("NarSize")
        let narSize = try number("NarSize", narSizeField)
        guard narSize > 0 else { throw .invalidValue(line: narSizeField.line, key: "NarSize", "0") }
        self.init(storePath: storePath.value, url: url.value, narHash: narHash, narSize: narSize)
        do {
            let directory = try storeDirectory
            _ = try directory.parse(storePath.value)
        } catch {
            throw .invalidValue(line: storePath.line, key: "StorePath", storePath.value)
        }
        compression = fields["Compression"]?.value
        if let field = fields["FileHash"] { fileHash = try hash("FileHash", field) }
        if let field = fields["FileSize"] { fileSize = try number("FileSize", field) }
        self.references = references
        if let field = fields["Deriver"], field.value != "unknown-deriver" {
            do { _ = try StorePath(baseName: field.value) } catch {
                throw .invalidValue(line: field.line, key: "Deriver", field.value)
            }
            deriver = field.value
        }
        system = fields["System"]?.value
        self.signatures = signatures
        if let field = fields["CA"] {
            do { contentAddress = try ContentAddress(parsing: field.value) } catch {
                throw .invalidValue(line: field.line, key: "CA", field.value)
            }
        }
    }

    private static let knownKeys: Set<String> = [
        "StorePath", "URL", "Compression", "FileHash", "FileSize", "NarHash", "NarSize", "Deriver", "System", "CA",
    ]
}

/// Why a narinfo could not be parsed.
public enum NarInfoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line without `:`.
    case malformedLine(line: Int, String)
    /// A required key is absent.
    case missingKey(String)
    /// A key given twice.
    case duplicateKey(line: Int, String)
    /// A value that is not valid for its key.
    case invalidValue(line: Int, key: String, String)
    /// The last line does not end with a newline.
    case missingNewline

    /// One line saying what is wrong, with the line number.
    public var description: String {
        switch self {
        case .malformedLine(let line, let text): "narinfo line \(line): not 'Key: value': '\(text.prefix(80))'"
        case .missingKey(let key): "narinfo has no \(key)"
        case .duplicateKey(let line, let key): "narinfo line \(line): \(key) given twice"
        case .invalidValue(let line, let key, let value):
            line > 0
                ? "narinfo line \(line): invalid \(key) '\(value.prefix(120))'"
                : "narinfo: invalid \(key) '\(value.prefix(120))'"
        case .missingNewline: "narinfo does not end with a newline"
        }
    }
}
