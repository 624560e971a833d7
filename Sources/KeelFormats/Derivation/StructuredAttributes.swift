/// A derivation's structured attributes (`__structuredAttrs = true`): its attributes as one JSON
/// object in the `__json` environment variable, and the files Nix 2.8 makes of them for the
/// builder, `.attrs.json` and `.attrs.sh`.
///
/// For the builder, `outputs` becomes an object from output name to path, and each entry of an
/// `exportReferencesGraph` object adds an attribute of the same name holding the path infos of
/// the closure of the paths it lists (computed by the caller, which knows the store).
public struct StructuredAttributes: Sendable {
    /// The environment variable that holds the attributes.
    public static let variable: ByteString = "__json"

    /// The attributes.
    public let attributes: [String: NixJSON]

    /// The structured attributes of `derivation`, or `nil` when it has none.
    ///
    /// - Throws: `DerivationError.invalidStructuredAttributes` when `__json` is not a JSON object.
    public static func of(_ derivation: Derivation) throws(DerivationError) -> StructuredAttributes? {
        guard derivation.environment[variable] != nil else { return nil }
        return try StructuredAttributes(derivation)
    }

    /// Parses the `__json` variable of `derivation`.
    ///
    /// - Throws: `DerivationError.invalidStructuredAttributes` when it is missing or is not a JSON
    ///   object.
    public init(_ derivation: Derivation) throws(DerivationError) {
        guard let text = derivation.environment[Self.variable] else {
            throw .invalidStructuredAttributes("the derivation has no __json variable")
        }
        let parsed: NixJSON
        do { parsed = try NixJSONParser.parse(text.bytes) } catch {
            throw .invalidStructuredAttributes(error.description)
        }
        guard case .object(let attributes) = parsed else {
            throw .invalidStructuredAttributes("it is not a JSON object")
        }
        self.attributes = attributes
    }

    /// An attribute that must be a list of strings (`impureEnvVars`), or `nil` when absent.
    ///
    /// - Throws: `DerivationError.invalidStructuredAttributes`, in Nix's words, when it is not.
    public func strings(_ name: String) throws(DerivationError) -> [String]? {
        guard let value = attributes[name] else { return nil }
        guard case .array(let items) = value else { throw Self.notStrings(name) }
        var strings: [String] = []
        for item in items {
            guard case .string(let string) = item else { throw Self.notStrings(name) }
            strings.append(string)
        }
        return strings
    }

    private static func notStrings(_ name: String) -> DerivationError {
        .invalidStructuredAttributes("attribute '\(name)' must be a list of strings")
    }

    /// The entries of `exportReferencesGraph` (when it is an object): each attribute to add and
    /// the store paths whose closure it describes.
    ///
    /// - Throws: `DerivationError.invalidStructuredAttributes` for an entry that is not a store
    ///   path or a list of them.
    public func referencesGraphs() throws(DerivationError) -> [(attribute: String, paths: [String])] {
        guard case .object(let graphs) = attributes["exportReferencesGraph"] else { return [] }
        var result: [(attribute: String, paths: [String])] = []
        for key in NixJSON.sortedKeys(graphs) {
            let paths: [String]
            switch graphs[key] {
            case .string(let path): paths = [path]
            case .array(let items):
                var strings: [String] = []
                for item in items {
                    guard case .string(let path) = item else { throw Self.badGraph(key) }
                    strings.append(path)
                }
                paths = strings
            default: throw Self.badGraph(key)
            }
            result.append((key, paths))
        }
        return result
    }

    private static func badGraph(_ key: String) -> DerivationError {
        .invalidStructuredAttributes("exportReferencesGraph.\(key) must be a store path or a list of them")
    }

    /// The object the builder is given: the attributes with `outputs` mapping each output name
    /// to `outputs[name]`, and each references graph added under its attribute.
    public func builderAttributes(outputs: [String: String], referencesGraphs: [String: NixJSON]) -> [String: NixJSON] {
        var object = attributes
        object["outputs"] = .object(outputs.mapValues(NixJSON.string))
        for (key, graph) in referencesGraphs { object[key] = graph }
        return object
    }

    /// `.attrs.json`: the builder's object, as Nix writes it.
    public static func jsonFile(_ object: [String: NixJSON]) -> [UInt8] { NixJSON.object(object).serialized }

    /// `.attrs.sh`: a bash script declaring each attribute whose name is a shell variable name
    /// and whose value bash can hold, as Nix 2.8 writes it: strings quoted with `'`, integers
    /// (and doubles with a whole value as a `float`) as 32-bit integers, `true` as `1`, `false`
    /// as the empty string, `null` as `''`; arrays of such values as `declare -a`, objects of
    /// them as `declare -A`; anything else (nested lists, fractions) left out.
    public static func shellFile(_ object: [String: NixJSON]) -> [UInt8] {
        var script = ""
        for key in NixJSON.sortedKeys(object) where isShellName(key) {
            guard let value = object[key] else { continue }
            if let simple = shellValue(value) {
                script += "declare \(key)=\(simple)\n"
                continue
            }
            switch value {
            case .array(let items):
                let values = items.map(shellValue)
                guard values.allSatisfy({ $0 != nil }) else { continue }
                script += "declare -a \(key)=(" + values.map { ($0 ?? "") + " " }.joined() + ")\n"
            case .object(let members):
                var entries = ""
                var good = true
                for member in NixJSON.sortedKeys(members) {
                    guard let item = members[member], let simple = shellValue(item) else {
                        good = false
                        break
                    }
                    entries += "[\(shellQuote(member))]=\(simple) "
                }
                if good { script += "declare -A \(key)=(\(entries))\n" }
            default: continue
            }
        }
        return Array(script.utf8)
    }

    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_]*`: a shell variable's name, and so an
    /// environment variable name every shell can read.
    public static func isShellName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
    }

    /// A value bash holds as a plain variable, written as Nix 2.8 writes it; `nil` otherwise.
    ///
    /// A number counts when its value as a `float` is whole; it is then written as a C `int`,
    /// wrapping as Nix's conversion wraps (a double out of range gives `INT_MIN`, as on x86).
    static func shellValue(_ value: NixJSON) -> String? {
        switch value {
        case .string(let string): return shellQuote(string)
        case .null: return "''"
        case .bool(let flag): return flag ? "1" : ""
        case .integer(let number): return String(Int32(truncatingIfNeeded: number))
        case .unsigned(let number): return String(Int32(truncatingIfNeeded: number))
        case .double(let number):
            let single = Float(number)
            guard single.rounded(.up) == single else { return nil }
            guard number > -2_147_483_649, number < 2_147_483_648 else { return String(Int32.min) }
            return String(Int32(number.rounded(.towardZero)))
        case .array, .object: return nil
        }
    }

    /// `s` between single quotes, each `'` written as `'\''`.
    static func shellQuote(_ string: String) -> String {
        var quoted = "'"
        for character in string.unicodeScalars {
            if character == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted + "'"
    }
}
