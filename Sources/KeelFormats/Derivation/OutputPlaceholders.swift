/// Output placeholders: what `builtins.placeholder "out"` writes into a derivation where the
/// output's path is not known yet, and what Nix replaces with the path in everything the builder
/// is given (arguments, environment, `passAsFile` files, `.attrs.json`, `.attrs.sh`).
public struct OutputPlaceholders: Sendable {
    /// Each placeholder's bytes and the output path bytes that replace it.
    private let replacements: [(placeholder: [UInt8], path: [UInt8])]

    /// The placeholder of output `name`: `/` and the Nix base32 sha256 of `nix-output:NAME`.
    public static func placeholder(forOutput name: String) -> String {
        "/" + StreamingHasher.hash(.sha256, Array("nix-output:\(name)".utf8)).nixBase32
    }

    /// Replaces the placeholder of each output with its path (`outputs`: name to full path).
    public init(outputs: [String: String]) {
        replacements = outputs.keys.sorted().compactMap { name in
            outputs[name].map { (Array(Self.placeholder(forOutput: name).utf8), Array($0.utf8)) }
        }
    }

    /// `bytes` with every placeholder replaced.
    public func rewrite(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for (placeholder, path) in replacements where result.count >= placeholder.count {
            var out: [UInt8] = []
            out.reserveCapacity(result.count)
            var index = 0
            while index < result.count {
                if result[index] == placeholder[0], result[index...].starts(with: placeholder) {
                    out += path
                    index += placeholder.count
                } else {
                    out.append(result[index])
                    index += 1
                }
            }
            result = out
        }
        return result
    }

    /// `string` with every placeholder replaced.
    public func rewrite(_ string: String) -> String {
        String(decoding: rewrite(Array(string.utf8)), as: UTF8.self)
    }
}
