/// Prints derivations in Nix's ATerm form (spec/nix-formats.md §4.1): one line, no whitespace,
/// no trailing newline.
///
/// `q()` fields (output names, paths, hash algorithms, hashes, platform) are written verbatim;
/// `e()` fields (builder, arguments, environment) escape `"`, `\`, LF, CR and TAB.
public enum ATermPrinter {
    /// The `.drv` bytes of `derivation`.
    public static func print(_ derivation: Derivation) -> [UInt8] {
        print(derivation, inputs: derivation.inputDerivations, maskOutputs: false)
    }

    /// The ATerm with the input derivations replaced and, when `maskOutputs`, every output path
    /// and output environment variable blanked: the text `hashDerivationModulo` hashes.
    static func print(_ derivation: Derivation, inputs: [String: Set<String>], maskOutputs: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        out += Array("Derive([".utf8)
        for (index, name) in derivation.outputNames.enumerated() {
            let output = derivation.outputs[name]!
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "("))
            quote(name, into: &out)
            out.append(UInt8(ascii: ","))
            quote(maskOutputs ? "" : output.path, into: &out)
            out.append(UInt8(ascii: ","))
            quote(output.hashAlgorithm, into: &out)
            out.append(UInt8(ascii: ","))
            quote(output.hash, into: &out)
            out.append(UInt8(ascii: ")"))
        }
        out += Array("],[".utf8)
        for (index, path) in sortedStrings(inputs.keys).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "("))
            quote(path, into: &out)
            out += Array(",[".utf8)
            list(sortedStrings(inputs[path]!), into: &out)
            out += Array("])".utf8)
        }
        out += Array("],[".utf8)
        list(sortedStrings(derivation.inputSources), into: &out)
        out += Array("],".utf8)
        quote(derivation.platform, into: &out)
        out.append(UInt8(ascii: ","))
        escape(derivation.builder.bytes, into: &out)
        out += Array(",[".utf8)
        for (index, argument) in derivation.arguments.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            escape(argument.bytes, into: &out)
        }
        out += Array("],[".utf8)
        for (index, key) in derivation.environment.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "("))
            escape(key.bytes, into: &out)
            out.append(UInt8(ascii: ","))
            let isOutput = key.utf8String.map { derivation.outputs[$0] != nil } ?? false
            escape(maskOutputs && isOutput ? [] : derivation.environment[key]!.bytes, into: &out)
            out.append(UInt8(ascii: ")"))
        }
        out += Array("])".utf8)
        return out
    }

    static func sortedStrings(_ strings: some Collection<String>) -> [String] {
        strings.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func list(_ strings: [String], into out: inout [UInt8]) {
        for (index, string) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            quote(string, into: &out)
        }
    }

    private static func quote(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out += Array(string.utf8)
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `bytes` between quotes with ATerm escapes.
    static func escape(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
