import Foundation
import KeelTesting
import Testing

@Suite("keel build and keel drv with derivation files nix did not name, or cannot build", .ownThreads)
struct BuildCLITests {
    static let hash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    static let path = "/nix/store/ilghkg8sqnh9275b62zcvsq9kpkym8yl-fixed"

    /// A .drv with the given output tuples, builder and environment.
    static func aterm(_ outputs: String, builder: String = "/bin/sh", environment: String = "") -> String {
        #"Derive([\#(outputs)],[],[],"x86_64-linux","\#(builder)",[],[\#(environment)])"#
    }

    /// Derivations Keel must refuse, and a piece of the line that says why.
    static let invalid: [(String, String)] = [
        (aterm(""), "must have at least one output"),
        (aterm(#"("a b","\#(path)","","")"#), "invalid derivation output name 'a b'"),
        (
            aterm(#"("dev","\#(path)","sha256","\#(hash)"),("out","\#(path)","sha256","\#(hash)")"#),
            "only one fixed output is allowed for now"
        ),
        (aterm(#"("bin","\#(path)","sha256","\#(hash)")"#), #"single fixed output must be named "out""#),
        (aterm(#"("out","\#(path)","sha3","\#(hash)")"#), "unknown hash algorithm 'sha3'"),
        (aterm(#"("out","\#(path)","sha256","abcd")"#), "hash 'abcd' has wrong length for hash type 'sha256'"),
        (aterm(#"("out","","sha256","")"#), "experimental Nix feature 'ca-derivations' is disabled"),
        (
            aterm(#"("bin","\#(path)","","")"#, builder: "builtin:fetchurl", environment: #"("url","file:///x")"#),
            "builtin:fetchurl: attribute 'out' missing"
        ),
        (
            aterm(#"("out","\#(path)","","")"#, builder: "builtin:fetchurl", environment: #"("url","file:///x")"#),
            "builtin:fetchurl only makes fixed outputs"
        ),
        (aterm(#"("out","\#(path)","sha256","\#(hash)")"#, builder: "builtin:fetchurl"), "attribute 'url' missing"),
        (aterm(#"("out","\#(path)","","")"#, builder: "builtin:foo"), "unsupported builtin builder 'foo'"),
        (
            aterm(#"("out","\#(path)","","")"#, environment: #"("__json","{\"a\":")"#),
            "cannot process __json attribute"
        ),
    ]

    /// Runs `keel drv show`, `keel drv paths` and `keel build` on `file`, expecting each to exit
    /// 1 (not die of a signal) with one line that contains `reason`.
    func expectRefused(_ file: String, _ reason: String, fixture: BuildFixture) throws {
        let runs = [
            ("drv show", try KeelBinary.run(["drv", "show", file])),
            ("drv paths", try KeelBinary.run(["drv", "paths", file])),
            ("build", try fixture.build([file])),
        ]
        for (command, result) in runs {
            #expect(result.status == 1, "keel \(command): status \(result.status): \(result.errorOutput)")
            #expect(result.errorOutput.hasPrefix("keel: "), "keel \(command): \(result.errorOutput)")
            #expect(result.errorOutput.contains(reason), "keel \(command): \(result.errorOutput)")
            #expect(result.errorOutput.split(separator: "\n").count == 1, "keel \(command): \(result.errorOutput)")
        }
    }

    @Test("every derivation Keel cannot build exits 1 with a clear line from drv show, drv paths and build")
    func invalidDerivations() throws {
        let fixture = try BuildFixture()
        defer { fixture.temporary.remove() }
        for (index, (text, reason)) in Self.invalid.enumerated() {
            let file = fixture.temporary.appending("invalid-\(index).drv")
            try TestFiles.write(file, Array(text.utf8))
            try expectRefused(file, reason, fixture: fixture)
        }
    }

    @Test("builtin:fetchurl whose only output is not 'out', as nix-instantiate makes it, is refused, not a crash")
    func fetchURLWithoutOut() throws {
        let fixture = try BuildFixture()
        defer { fixture.temporary.remove() }
        let drv = try fixture.instantiate(
            """
            derivation { name = "binfetch"; system = "builtin"; builder = "builtin:fetchurl"; outputs = [ "bin" ]; \
            url = "file:///etc/hostname"; }
            """)
        // nix-instantiate names the derivation's default output: PATH.drv!bin.
        let path = try #require(drv.first?.split(separator: "!").first.map(String.init))
        try expectRefused(fixture.nix.physicalPath(path), "builtin:fetchurl: attribute 'out' missing", fixture: fixture)
    }

    @Test("a .drv saved as NAME.drv builds, named after its file, and keel says which store path it became")
    func savedUnderItsName() throws {
        let fixture = try BuildFixture()
        defer { fixture.temporary.remove() }
        let expression = """
            let dep = derivation { name = "dep"; system = builtins.currentSystem; builder = "/bin/sh"; \
            args = [ "-c" "echo dep > $out" ]; };
            in derivation { name = "leaf"; system = builtins.currentSystem; builder = "/bin/sh"; \
            args = [ "-c" "cat ${dep} > $out; echo leaf >> $out" ]; }
            """
        let drv = try #require(try fixture.instantiate(expression).first)
        let saved = fixture.temporary.appending("saved")
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.nix.physicalPath(drv), toPath: saved + "/leaf.drv")
        // Its input derivation stays in nix's store directory, found beside nothing: copy it too.
        let dependency = try #require(
            try String(contentsOfFile: saved + "/leaf.drv", encoding: .utf8).split(separator: "\"").first {
                $0.hasSuffix("-dep.drv")
            })
        try FileManager.default.copyItem(
            atPath: fixture.nix.physicalPath(String(dependency)),
            toPath: saved + "/" + (dependency.split(separator: "/").last.map(String.init) ?? ""))

        let built = try fixture.build([saved + "/leaf.drv"])
        #expect(built.status == 0, "\(built.errorOutput)")
        #expect(built.errorOutput.contains("imported '\(saved)/leaf.drv' as '\(drv)'"), "\(built.errorOutput)")
        let outputs = try fixture.nix.outputs(drv)
        #expect(built.output == outputs.joined(separator: "\n") + "\n")
        #expect(
            try String(contentsOfFile: built.output.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8)
                == "dep\nleaf\n")
        let paths = try KeelBinary.run(["drv", "paths", saved + "/leaf.drv", "--store-dir", fixture.storeDirectory])
        #expect(paths.output == drv + "\nout " + outputs[0] + "\n", "\(paths.errorOutput)")

        // Saved under another name it is another derivation, whose written output paths are wrong.
        try FileManager.default.copyItem(atPath: saved + "/leaf.drv", toPath: saved + "/renamed.drv")
        let renamed = try fixture.build([saved + "/renamed.drv"])
        #expect(renamed.status == 1)
        #expect(renamed.errorOutput.contains("renamed.drv': output 'out' is written as"), "\(renamed.errorOutput)")
        // A file whose name does not end in .drv names no derivation.
        try FileManager.default.copyItem(atPath: saved + "/leaf.drv", toPath: saved + "/leaf.txt")
        for result in [
            try fixture.build([saved + "/leaf.txt"]), try KeelBinary.run(["drv", "paths", saved + "/leaf.txt"]),
        ] {
            #expect(result.status == 1)
            #expect(result.errorOutput.contains("a derivation file's name ends in '.drv'"), "\(result.errorOutput)")
            #expect(result.errorOutput.split(separator: "\n").count == 1)
        }
    }
}

extension BuildFixture {
    /// `keel build ARGUMENTS` on this fixture's root and store directory, busybox as /bin/sh.
    func build(_ arguments: [String]) throws -> ProcessResult {
        try keel(["build", "--sandbox-paths", "/bin/sh=/bin/busybox"] + arguments)
    }
}
