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

@Suite("Builds against nix-build", .serialized, .ownThreads)
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

    @Test(
        "the builder's environment is Nix's, with nothing of the caller's: the derivation may set PATH and HOME, not TMPDIR; output placeholders become paths"
    )
    func environment() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let extra = #"""
            custom = "value with spaces"; PATH = "/custom-path"; HOME = "/custom-home"; TMPDIR = "/custom-tmp";
            prefix = "--prefix=${placeholder "out"} --lib=${placeholder "lib"} --none=${placeholder "none"}";
            passAsFile = [ "passed" ]; passed = "file ${placeholder "out"}";
            """#
        let derivations = try fixture.instantiate(
            derivationExpression(
                "env", "env | sort > $out; cat $passedPath >> $out; echo ${placeholder \"lib\"} > $lib",
                outputs: ["out", "lib"], extra: extra))
        try compare(fixture, derivations)
        let out = try #require(try fixture.nix.outputs(derivations[0]).first { $0.hasSuffix("-env") })
        let report = try String(contentsOfFile: out, encoding: .utf8)
        #expect(report.contains("PATH=/custom-path\n") && report.contains("TMPDIR=/build\n"), "\(report)")
        #expect(!report.contains("--prefix=/1") && !report.contains("file /1"), "placeholders replaced: \(report)")
    }

    @Test("a fixed-output builder gets NIX_OUTPUT_CHECKED and its impure variables, empty when the caller has none")
    func fixedOutputEnvironment() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let hash = StreamingHasher.hash(.sha256, Array("checked\n".utf8)).sri
        let script =
            "test $NIX_OUTPUT_CHECKED = 1 && test \\${KEEL_TEST_UNSET_VARIABLE+set} = set && echo checked > $out || env"
        let derivations = try fixture.instantiate(
            derivationExpression(
                "fixedenv", script,
                extra: #"impureEnvVars = [ "KEEL_TEST_UNSET_VARIABLE" ]; outputHashMode = "flat"; "#
                    + #"outputHashAlgo = "sha256"; outputHash = "\#(hash)";"#))
        try compare(fixture, derivations)
    }

    @Test(
        "structured attributes: .attrs.json, .attrs.sh, the environment and exportReferencesGraph are nix-build's; Keel's NIX_ATTRS_* name the files as the builder sees them"
    )
    func structuredAttributes() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let script = #"""
            o=$(sed -e 's/.*"outputs":{[^}]*"out":"\([^"]*\)".*/\1/' .attrs.json)
            d=$(sed -e 's/.*"outputs":{[^}]*"dev":"\([^"]*\)".*/\1/' .attrs.json)
            mkdir $o $d
            cp .attrs.json .attrs.sh $o/
            env | grep -v '^NIX_ATTRS_' | sort > $o/env
            ls -A > $o/files
            echo dev > $d/dev
            echo json=$NIX_ATTRS_JSON_FILE sh=$NIX_ATTRS_SH_FILE
            if test -r $NIX_ATTRS_JSON_FILE && test -r $NIX_ATTRS_SH_FILE; then echo readable; fi
            """#
        let expression = #"""
            let dep = derivation { name = "dep"; system = builtins.currentSystem; builder = "/bin/sh";
                  args = [ "-c" "mkdir $out; echo dep > $out/file; ln -s $out $out/self" ]; };
                src = builtins.toFile "src.txt" "source\n";
            in derivation {
              __structuredAttrs = true; name = "structured"; system = builtins.currentSystem; builder = "/bin/sh";
              outputs = [ "out" "dev" ];
              args = [ "-c" ''\#(script)'' ];
              number = 42; negative = -7; big = 1099511627776; fraction = 1.5; whole = 2.0; small = 0.0001;
              huge = 1.0e20; flag = true; off = false; nothing = null;
              list = [ 1 "two" [ 3 ] ]; simple = [ 1 "two" true null ]; empty = [ ];
              set = { a = 1; b = "it's"; }; nested = { a = { b = 1; }; };
              text = "quote\" back\\ newline\n tab\t é 日本 ${"$"}dollar";
              "not-a-shell-name" = "skipped"; _under = "kept";
              prefix = "${placeholder "out"}/share ${placeholder "dev"}";
              dependency = dep;
              exportReferencesGraph = { graph = [ dep ]; source = src; };
            }
            """#
        let derivations = try fixture.instantiate(expression)
        let drv = try String(contentsOfFile: fixture.nix.physicalPath(derivations[0]), encoding: .utf8)
        #expect(drv.contains(#"("__json","#) && !drv.contains(#"("name","#))
        try compare(fixture, derivations)
        let out = try #require(try fixture.nix.outputs(derivations[0]).first { $0.hasSuffix("-structured") })
        let json = try String(contentsOfFile: out + "/.attrs.json", encoding: .utf8)
        #expect(json.contains(#""graph":[{"closureSize":"#), "\(json)")
        #expect(json.contains(#""prefix":"\#(out)/share "#), "\(json)")
        let shell = try String(contentsOfFile: out + "/.attrs.sh", encoding: .utf8)
        #expect(shell.contains("declare -A outputs=(['dev']="), "\(shell)")
        let log = try fixture.keel(["log", derivations[0]])
        #expect(log.output == "json=/build/.attrs.json sh=/build/.attrs.sh\nreadable\n", "\(log.output)")
    }

    @Test("a .drv whose input derivations are not sorted builds to nix-build's outputs")
    func unsortedInputs() throws {
        let fixture = try BuildFixture()
        defer { fixture.remove() }
        let expression = """
            let a = \(derivationExpression("a", "echo a > $out"));
                b = \(derivationExpression("b", "echo b > $out"));
            in \(derivationExpression("top", "cat ${a} ${b} > $out"))
            """
        let top = try #require(try fixture.instantiate(expression).first)
        let text = try String(contentsOfFile: fixture.nix.physicalPath(top), encoding: .utf8)
        let inputs = try #require(
            text.components(separatedBy: "\"").filter { $0.hasSuffix(".drv") }.sorted() as [String]?)
        try #require(inputs.count == 2)
        let entries = inputs.map { #"("\#($0)",["out"])"# }
        let unsorted = text.replacingOccurrences(
            of: entries.joined(separator: ","), with: entries.reversed().joined(separator: ","))
        #expect(unsorted != text)
        let saved = fixture.temporary.appending("saved")
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        try TestFiles.write(saved + "/top.drv", Array(unsorted.utf8))
        for input in inputs {
            let name = input.split(separator: "/").last.map(String.init) ?? input
            try FileManager.default.copyItem(atPath: fixture.nix.physicalPath(input), toPath: saved + "/" + name)
        }
        let built = try fixture.keel(["build", "--sandbox-paths", "/bin/sh=/bin/busybox", saved + "/top.drv"])
        #expect(built.status == 0, "\(built.errorOutput)")
        try fixture.nix.build([top])
        let output = try fixture.nix.outputs(top)[0]
        #expect(built.output == output + "\n")
        let info = try #require(try fixture.info(output))
        #expect(try NixHash(parsing: info["narHash"] as! String) == NixHash(parsing: try fixture.nix.narHash(output)))
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
