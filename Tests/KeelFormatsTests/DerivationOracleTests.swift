import Foundation
import KeelFormats
import KeelTesting
import Testing

/// Writes random derivations as a .nix file for `nix-instantiate`.
private struct NixDerivationGenerator {
    var random: SeededGenerator
    var lines: [[UInt8]] = []
    /// Each derivation made so far: attribute name and outputs.
    var made: [(name: String, outputs: [String])] = []

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// A Nix string literal holding `bytes` (raw bytes are allowed inside Nix strings).
    static func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case 0x0a: out += Array(#"\n"#.utf8)
            case 0x0d: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case UInt8(ascii: "$") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "{"):
                out += Array(#"\$"#.utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    mutating func oddValue() -> [UInt8] {
        let pieces = [
            "quote\" ", "back\\slash ", "new\nline ", "tab\t ", "cr\r ", "é ", "日本 ", "$dollar ", "${ ", "plain ",
        ]
        var value: [UInt8] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            value += Array(pieces.randomElement(using: &random)!.utf8)
        }
        if Bool.random(using: &random) { value += [0x01, 0x7f] }
        return value
    }

    /// A reference to an earlier derivation's output, as `${dN}` or `${dN.out}`.
    mutating func reference() -> String? {
        guard let (name, outputs) = made.randomElement(using: &random) else { return nil }
        let output = outputs.randomElement(using: &random)!
        return output == "out" && Bool.random(using: &random) ? "${\(name)}" : "${\(name).\(output)}"
    }

    mutating func add(index: Int) {
        let name = "d\(index)"
        var attributes: [String: [UInt8]] = [
            "name": Self.literal(Array("drv\(index)".utf8)),
            "system": Self.literal(Array("x86_64-linux".utf8)),
            "builder": Self.literal(Array("/bin/sh".utf8)),
        ]
        var references: [String] = []
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            if let reference = reference() { references.append(reference) }
        }
        let script = "echo " + references.joined(separator: " ") + " > $out"
        // Written without escaping so that `${dN}` interpolates (and adds the input derivation).
        attributes["args"] = Array("[ \"-c\" \"\(script)\" ]".utf8)
        attributes["odd"] = Self.literal(oddValue())
        if Int.random(in: 0..<3, using: &random) == 0 {
            attributes["src"] = Array("builtins.toFile \"src\(index).txt\" ".utf8) + Self.literal(oddValue())
        }
        var outputs = ["out"]
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            // Fixed output: flat or recursive, any algorithm, hash in hex, base32 or SRI.
            let algorithm = HashAlgorithm.allCases.randomElement(using: &random)!
            let hash = NixHash(algorithm: algorithm, digest: random.bytes(algorithm.digestSize))!
            let text = [hash.base16, hash.nixBase32, hash.sri].randomElement(using: &random)!
            attributes["outputHashMode"] = Self.literal(
                Array((Bool.random(using: &random) ? "flat" : "recursive").utf8))
            attributes["outputHashAlgo"] = Self.literal(Array(algorithm.name.utf8))
            attributes["outputHash"] = Self.literal(Array(text.utf8))
        case 1:
            outputs = ["out", "dev", "lib", "doc"].shuffled(using: &random)
            outputs = Array(outputs.prefix(Int.random(in: 2...4, using: &random)))
            if !outputs.contains("out") { outputs[0] = "out" }
            let listed = outputs.map { "\"\($0)\"" }.joined(separator: " ")
            attributes["outputs"] = Array("[ \(listed) ]".utf8)
        default:
            break
        }
        var line = Array("  \(name) = derivation {".utf8)
        for key in attributes.keys.sorted() {
            line += Array(" \(key) = ".utf8) + attributes[key]! + [UInt8(ascii: ";")]
        }
        line += Array(" };".utf8)
        lines.append(line)
        made.append((name, outputs))
    }

    var file: [UInt8] {
        Array("rec {\n".utf8) + lines.flatMap { $0 + [0x0a] } + Array("}\n".utf8)
    }
}

@Suite("Derivations against nix-instantiate", .ownThreads)
struct DerivationOracleTests {
    @Test("generated derivations: ATerm round-trips and computed paths equal nix's")
    func generatedDerivations() throws {
        let seed = testSeed()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let nix = try NixOracle(root: temporary.appending("nix"))
        var generator = NixDerivationGenerator(seed: seed)
        let count = 60
        for index in 0..<count { generator.add(index: index) }
        let file = temporary.appending("drvs.nix")
        try Data(generator.file).write(to: URL(fileURLWithPath: file))
        let attributes = (0..<count).flatMap { ["-A", "d\($0)"] }
        let paths = try nix.output("nix-instantiate", [file] + attributes).split(separator: "\n")
            .map { String($0.split(separator: "!")[0]) }
        try #require(paths.count == count, "seed \(seed)")

        let storeDirectory = try StoreDirectory(nix.storeDirectory)
        var hasher = DerivationHasher(storeDirectory: storeDirectory) { path in
            try ATermParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        var fixedOutputs = 0
        var multipleOutputs = 0
        var withInputs = 0
        for path in paths {
            let context = "seed \(seed) (rerun with KEEL_TEST_SEED=\(seed)), \(path)"
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let derivation = try Derivation(parsing: bytes)
            let name = try Derivation.name(of: try storeDirectory.parse(path))
            #expect(ATermPrinter.print(derivation) == bytes, "round trip: \(context)")
            #expect(
                storeDirectory.fullPath(try hasher.derivationPath(derivation, name: name)) == path,
                "drv path: \(context)")
            let computed = try hasher.outputPaths(derivation, name: name)
            for (output, written) in derivation.outputs {
                #expect(computed[output].map(storeDirectory.fullPath) == written.path, "output \(output): \(context)")
            }
            if derivation.isFixedOutput { fixedOutputs += 1 }
            if derivation.outputs.count > 1 { multipleOutputs += 1 }
            if !derivation.inputDerivations.isEmpty { withInputs += 1 }
        }
        let nixOutputs = try nix.output("nix-store", ["-q", "--outputs"] + paths).split(separator: "\n").map(
            String.init)
        let keelOutputs = try paths.flatMap { path in
            let derivation = try Derivation(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let name = try Derivation.name(of: try storeDirectory.parse(path))
            return try hasher.outputPaths(derivation, name: name).values.map(storeDirectory.fullPath)
        }
        #expect(Set(nixOutputs) == Set(keelOutputs), "seed \(seed)")
        #expect(fixedOutputs > 0 && multipleOutputs > 0 && withInputs > 0, "seed \(seed) covers every kind")
    }

    /// What nix 2.8 says when asked to store each invalid derivation that it refuses on sight,
    /// keyed by the case's name in `DerivationTests.invalid`. The rest nix stores and refuses
    /// only when building (built-in builders), or refuses for another reason first.
    static let nixWording: [String: String] = [
        "no outputs": "must have at least one output",
        "two fixed outputs": "only one fixed output is allowed for now",
        "fixed output not named out": #"single fixed output must be named "out""#,
        "fixed and input-addressed": "can't mix derivation output types",
        "unknown algorithm": "unknown hash algorithm 'sha3'",
        "text method": "unknown hash algorithm 'text:sha256'",
        "r: twice": "unknown hash algorithm 'r:sha256'",
        "short digest": "hash 'abcd' has wrong length for hash type 'sha256'",
        "bad hex digest": "invalid base-16 hash",
        "floating content address": "experimental Nix feature 'ca-derivations' is disabled",
        "impure output": "experimental Nix feature 'impure-derivations' is disabled",
    ]

    @Test("nix 2.8 refuses the same invalid derivations in the words Keel uses")
    func invalidDerivations() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let nix = try NixOracle(root: temporary.appending("nix"))
        var checked = 0
        for (name, text, keelMessage) in DerivationTests.invalid {
            guard let wording = Self.nixWording[name] else { continue }
            #expect(keelMessage.hasPrefix(wording), "\(name): Keel says what nix says")
            let file = temporary.appending("case-\(checked).aterm")
            let aterm = text.replacingOccurrences(of: "/nix/store/", with: nix.storeDirectory + "/")
            try TestFiles.write(file, Array(aterm.utf8))
            let expression = "builtins.toFile \"case.drv\" (builtins.readFile \(file))"
            // Storing a file named *.drv makes nix parse and check it as a derivation.
            do {
                try nix.run("nix-instantiate", ["--read-write-mode", "--eval", "-E", expression])
                Issue.record("nix stored '\(name)'")
            } catch let error as NixOracleError {
                #expect(error.result.errorOutput.contains(wording), "\(name): \(error.result.errorOutput)")
            }
            checked += 1
        }
        #expect(checked == Self.nixWording.count)
    }
}
