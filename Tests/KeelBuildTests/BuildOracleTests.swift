import Foundation
import KeelFormats
import KeelTesting
import Testing

/// Random derivation graphs: each node depends on some earlier ones, writes files, executables,
/// symlinks, empty and nested directories, sometimes a second output referring to the first,
/// sometimes a reference to itself.
private func generatedGraph(seed: UInt64, nodes: Int) -> String {
    var random = SeededGenerator(seed: seed)
    var bindings: [String] = []
    var hasLib: [Bool] = []
    for index in 0..<nodes {
        var script = ["mkdir $out", "echo node-\(index)-\(random.next() % 100_000) > $out/data"]
        let candidates = Array(0..<index).shuffled(using: &random).prefix(Int(random.next() % 3))
        for dependency in candidates.sorted() {
            script.append("cat ${n\(dependency)}/data >> $out/data")
            if random.next() % 2 == 0 { script.append("ln -s ${n\(dependency)} $out/link-\(dependency)") }
            if hasLib[dependency], random.next() % 2 == 0 { script.append("cat ${n\(dependency).lib}/of >> $out/data") }
        }
        if random.next() % 2 == 0 {
            script.append("echo '#!/bin/sh' > $out/run && chmod 555 $out/run")
        }
        if random.next() % 2 == 0 {
            script.append("mkdir -p $out/sub/empty $out/sub/deeper && echo $out > $out/sub/deeper/self")
        }
        if random.next() % 3 == 0 { script.append("ln -s data $out/relative && ln -s /nowhere $out/dangling") }
        let twoOutputs = random.next() % 3 == 0
        if twoOutputs { script.append("mkdir $lib && echo $out > $lib/of") }
        hasLib.append(twoOutputs)
        let expression = derivationExpression(
            "n\(index)", script.joined(separator: "; "), outputs: twoOutputs ? ["out", "lib"] : ["out"])
        bindings.append("n\(index) = \(expression);")
    }
    let all = (0..<nodes).map { "n\($0)" }.joined(separator: " ")
    return "let\n" + bindings.joined(separator: "\n") + "\nin [ \(all) ]\n"
}

@Suite("Builds against nix-build", .serialized)
struct BuildOracleTests {
    /// Builds the same derivations with nix-build and keel build and compares every output:
    /// path, NAR hash and references.
    func compare(_ fixture: BuildFixture, _ derivations: [String], keelArguments: [String] = []) throws {
        let built = try fixture.keelBuild(derivations, keelArguments)
        #expect(built.status == 0, "\(built.errorOutput)")
        try fixture.nix.build(derivations)
        var keelOutputs = Set(built.output.split(separator: "\n").map(String.init))
        for derivation in derivations {
            for output in try fixture.nix.outputs(derivation) {
                #expect(keelOutputs.remove(output) != nil, "keel did not print \(output)")
                guard let info = try fixture.info(output) else {
                    Issue.record("keel did not register \(output)")
                    continue
                }
                let nixHash = try NixHash(parsing: try fixture.nix.narHash(output))
                let keelHash = try NixHash(parsing: info["narHash"] as! String)
                #expect(keelHash == nixHash, "NAR hash of \(output)")
                #expect(
                    (info["references"] as! [String]).sorted() == (try fixture.nix.references(output)),
                    "references of \(output)")
            }
        }
        #expect(keelOutputs.isEmpty, "keel printed more: \(keelOutputs)")
        #expect(fixture.leftoverBuildDirectories().isEmpty)
    }

    @Test(
        "generated graphs (chains, diamonds, two outputs, symlinks, executables, self-references) build as nix builds them",
        arguments: [1, 2, 3] as [UInt64])
    func generated(seed: UInt64) throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let derivations = try fixture.instantiate(generatedGraph(seed: seed &+ testSeed(), nodes: 8))
        try compare(fixture, derivations, keelArguments: ["-j", "2"])
    }

    @Test("the builder's environment is Nix's, with nothing of the caller's")
    func environment() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let derivations = try fixture.instantiate(
            derivationExpression("env", "env | sort > $out", extra: #"custom = "value with spaces";"#))
        try compare(fixture, derivations)
    }

    @Test(
        "a .drv brought in with keel store import builds by its store path; a .drv file missing an input is refused naming it"
    )
    func importedAndMissing() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let expression = """
            let dep = \(derivationExpression("dep", "echo dep > $out"));
            in \(derivationExpression("top", "cat ${dep} > $out"))
            """
        let derivations = try fixture.instantiate(expression)
        let imported = try KeelBinary.run(
            ["store", "import", "--root", fixture.keelRoot, "--store-dir", fixture.storeDirectory],
            input: try fixture.nix.exportClosure(derivations))
        #expect(imported.status == 0, "\(imported.errorOutput)")
        let built = try fixture.keel(["build", "--sandbox-paths", "/bin/sh=/bin/busybox"] + derivations)
        #expect(built.status == 0, "\(built.errorOutput)")
        #expect(built.output.split(separator: "\n").map(String.init) == (try fixture.nix.outputs(derivations[0])))

        // The same kind of .drv, copied alone where its input derivation is not, into a fresh store.
        let other = try BuildFixture()
        defer { other.remove() }
        let fresh = try other.instantiate(expression.replacingOccurrences(of: "echo dep", with: "echo other"))
        let alone = other.temporary.appending("alone")
        try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: true)
        let copy = alone + "/" + (fresh[0].split(separator: "/").last.map(String.init) ?? "")
        try FileManager.default.copyItem(atPath: other.nix.physicalPath(fresh[0]), toPath: copy)
        let refused = try other.keel(["build", "--sandbox-paths", "/bin/sh=/bin/busybox", copy])
        #expect(refused.status == 1)
        #expect(
            refused.errorOutput.contains("-dep.drv', which is not valid in the store and is not at"),
            "\(refused.errorOutput)")
    }

    @Test("a builder script from builtins.toFile and a source file are imported from beside the .drv")
    func inputSources() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let source = fixture.temporary.appending("data.txt")
        try TestFiles.write(source, Array("from a source file\n".utf8))
        let expression = """
            let script = builtins.toFile "build.sh" "mkdir $out; cat ${\(source)} > $out/copy; echo done > $out/done";
            in derivation { name = "sources"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ script ]; }
            """
        try compare(fixture, try fixture.instantiate(expression))
        // Building again does nothing, and says the outputs were not built now.
        let again = try fixture.keelBuild(try fixture.instantiate(expression), ["--json"])
        #expect(again.status == 0)
        #expect(
            again.output.contains("\"built\" : false") || again.output.contains("\"built\": false"), "\(again.output)")
    }
}
