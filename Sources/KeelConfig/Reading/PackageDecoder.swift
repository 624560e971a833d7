import Foundation
import KeelFormats

/// Reads `[packages.NAME]` tables.
enum PackageDecoder {
    /// The key that makes each kind of package, and what a message calls that kind.
    static let kindKeys: [(key: String, description: String)] = [
        ("src", "a local tree"), ("builder", "a derivation"), ("url", "a fetch"), ("drv", "a Nix derivation"),
        ("debian", "a Debian runtime"), ("python", "a Python runtime"),
    ]
    /// The keys each kind allows, by its kind key.
    static let keysByKind: [String: [String]] = [
        "src": ["src"],
        "builder": ["builder", "args", "env", "inputs", "system"],
        "url": ["url", "hash", "unpack", "executable"],
        "drv": ["drv", "output"],
        "debian": ["debian", "leave_out"],
        "python": ["python", "wheels", "requirements"],
    ]

    /// Every `[packages.*]` table that is valid, sorted by name; problems go to `log`.
    static func packages(_ top: TableReader, directory: String, log: ProblemLog) -> [PackageSpec] {
        guard let table = top.table("packages") else { return [] }
        var result: [PackageSpec] = []
        for (name, node) in table.entries {
            let path = table.path(name)
            if !isValidName(name) {
                log.add(
                    "invalid package name '\(name)': use letters, digits, '-', '_', '.' and '+' "
                        + "(at most 100, not starting with '.' or '-')",
                    atKeyOf: path)
                continue
            }
            guard let reader = TableReader(node, at: path, log: log) else { continue }
            if let package = package(name, reader, directory: directory) { result.append(package) }
        }
        return result
    }

    /// Package names: store path names without the characters that would confuse `${…}`.
    static func isValidName(_ name: String) -> Bool {
        guard name.utf8.count <= 100,
            name.utf8.first.map({ $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") }) == true
        else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "+"):
                true
            default: false
            }
        }
    }

    private static func package(_ name: String, _ table: TableReader, directory: String) -> PackageSpec? {
        let log = table.log
        let present = kindKeys.filter { table.has($0.key) }
        guard let kind = present.first else {
            log.add(
                "package '\(name)' declares nothing: give one of src (a local tree), builder (a derivation), "
                    + "url (a fetch), drv (a Nix derivation), debian (a Debian runtime) or python (a Python runtime)",
                at: table.path)
            return nil
        }
        for other in present.dropFirst() {
            log.add(
                "package '\(name)' has two kinds: '\(kind.key)' (\(kind.description)) and '\(other.key)' "
                    + "(\(other.description)); a package is exactly one of them",
                atKeyOf: table.path(other.key))
        }
        let allowed = keysByKind[kind.key] ?? []
        let everyKey = keysByKind.values.flatMap { $0 }
        for (key, _) in table.entries where !allowed.contains(key) && !present.contains(where: { $0.key == key }) {
            if let owner = keysByKind.first(where: { $0.value.contains(key) }),
                let description = kindKeys.first(where: { $0.key == owner.key })?.description
            {
                log.add(
                    "'\(key)' belongs to \(description) package ('\(owner.key)'), but '\(name)' is \(kind.description) "
                        + "('\(kind.key)')",
                    atKeyOf: table.path(key))
            } else {
                log.add(
                    "unknown key '\(key)' in package '\(name)'\(KeySuggestion.hint(for: key, among: everyKey))",
                    atKeyOf: table.path(key))
            }
        }
        guard present.count == 1 else { return nil }
        let specKind: PackageSpec.Kind?
        switch kind.key {
        case "src": specKind = source(table, directory: directory).map { .source($0) }
        case "builder": specKind = derivation(table).map { .derivation($0) }
        case "url": specKind = fetch(table).map { .fetch($0) }
        case "debian": specKind = RuntimeDecoder.debian(table).map { .debian($0) }
        case "python": specKind = RuntimeDecoder.python(table, directory: directory).map { .python($0) }
        default: specKind = nixDerivation(table, directory: directory).map { .nixDerivation($0) }
        }
        return specKind.map { PackageSpec(name: name, position: table.position, kind: $0) }
    }

    private static func source(_ table: TableReader, directory: String) -> SourceSpec? {
        guard let path = table.string("src") else { return nil }
        let resolved = resolve(path.value, against: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            table.log.add("src directory '\(path.value)' does not exist (looked for '\(resolved)')", at: path.position)
            return nil
        }
        guard isDirectory.boolValue else {
            table.log.add("src '\(path.value)' is not a directory", at: path.position)
            return nil
        }
        // The tree is read without following symlinks; a src naming a symlink to a directory
        // (checked above through it) means the directory.
        return SourceSpec(path: path, resolvedPath: URL(fileURLWithPath: resolved).resolvingSymlinksInPath().path)
    }

    private static func derivation(_ table: TableReader) -> DerivationSpec? {
        let builder = table.string("builder")
        let arguments = table.strings("args") ?? []
        let environment = table.stringTable("env") ?? []
        let inputs = table.strings("inputs") ?? []
        for (key, _) in environment where !AgentDecoder.isValidVariableName(key) {
            table.log.add("invalid environment variable name '\(key)'", atKeyOf: table.path("env") + [.key(key)])
        }
        for reserved in ["out", "name", "builder", "system"] where environment.contains(where: { $0.key == reserved }) {
            table.log.add(
                "'\(reserved)' is set by Keel for every derivation and cannot be given in env",
                atKeyOf: table.path("env") + [.key(reserved)])
        }
        if let builder, builder.value.isEmpty { table.log.add("'builder' must not be empty", at: builder.position) }
        guard let builder else { return nil }
        return DerivationSpec(
            builder: builder, arguments: arguments, environment: environment, inputs: inputs,
            system: table.string("system")?.value)
    }

    private static func fetch(_ table: TableReader) -> FetchSpec? {
        guard let url = table.string("url") else { return nil }
        let scheme = url.value.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() }
        if URL(string: url.value) == nil || !["http", "https", "file"].contains(scheme ?? "") {
            table.log.add("invalid URL \"\(url.value)\": use an http, https or file URL", at: url.position)
        }
        var hash: String?
        if let text = table.string("hash") {
            do { hash = try normalisedHash(text.value) } catch { table.log.add(error.description, at: text.position) }
        }
        let unpack = table.boolean("unpack") ?? false
        let executable = table.boolean("executable") ?? false
        if unpack && executable {
            table.log.add(
                "'executable' applies to a single file and cannot be combined with unpack = true",
                atKeyOf: table.path("executable"))
        }
        return FetchSpec(url: url, hash: hash, unpack: unpack, executable: executable)
    }

    private static func nixDerivation(_ table: TableReader, directory: String) -> NixDerivationSpec? {
        guard let path = table.string("drv") else { return nil }
        let output = table.string("output")
        if let output, !Derivation.isValidOutputName(output.value) {
            table.log.add("invalid output name \"\(output.value)\"", at: output.position)
        }
        guard path.value.hasSuffix(".drv") else {
            table.log.add("drv \"\(path.value)\" is not a .drv file", at: path.position)
            return nil
        }
        let resolved = resolve(path.value, against: directory)
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            table.log.add("drv file '\(path.value)' does not exist or cannot be read", at: path.position)
            return nil
        }
        return NixDerivationSpec(path: path, resolvedPath: resolved, output: output?.value ?? "out")
    }

    /// A SHA-256 given as SRI (`sha256-…`) or `sha256:…` (base16, Nix base32 or base64), in SRI.
    static func normalisedHash(_ text: String) throws(ConfigValueError) -> String {
        let parsed: NixHash
        do { parsed = try NixHash(parsing: text) } catch {
            throw ConfigValueError(
                "invalid hash \"\(text)\": \(error.description); write \"sha256-<base64>\" or \"sha256:<hex>\"")
        }
        guard parsed.algorithm == .sha256 else {
            throw ConfigValueError("hash \"\(text)\" is \(parsed.algorithm.name); Keel pins fetches by sha256")
        }
        return parsed.sri
    }

    /// `path` made absolute against `directory` (and normalised: no `.`, `..` or double slashes).
    static func resolve(_ path: String, against directory: String) -> String {
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
