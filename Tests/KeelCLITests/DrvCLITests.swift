import Foundation
import KeelTesting
import Testing

@Suite("keel drv against nix", .ownThreads)
struct DrvCLITests {
    static let expression = #"""
        rec {
          fixed = derivation {
            name = "fixed"; system = "x86_64-linux"; builder = "/bin/sh";
            args = [ "-c" "echo hello > $out" ];
            outputHashMode = "flat"; outputHashAlgo = "sha256";
            outputHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
          };
          multi = derivation {
            name = "multi"; system = "x86_64-linux"; builder = "/bin/sh";
            outputs = [ "out" "dev" ];
            odd = "quote\" backslash\\ newline\n tab\t cr\r é";
            args = [ "-c" "read x < ${fixed}; echo \"$x $out\" > $out; echo $out > $dev" ];
          };
          top = derivation {
            name = "top"; system = "x86_64-linux"; builder = "/bin/sh";
            src = builtins.toFile "src.txt" "source text\n";
            args = [ "-c" "read a < ${multi.dev}; echo \"$a\" > $out" ];
          };
          structured = derivation {
            __structuredAttrs = true; name = "structured"; system = "x86_64-linux"; builder = "/bin/sh";
            outputs = [ "out" "doc" ]; number = 42; list = [ 1 "two" null ]; nested = { a.b = true; };
            args = [ "-c" "read a < ${top}; echo $a" ];
          };
        }
        """#

    /// Instantiates the expression in a private store and returns the three .drv paths.
    func instantiate(_ temporary: TemporaryDirectory) throws -> (NixOracle, [String]) {
        let nix = try NixOracle(root: temporary.appending("nix"))
        let file = temporary.appending("drvs.nix")
        try Self.expression.write(toFile: file, atomically: false, encoding: .utf8)
        let paths = try ["fixed", "multi", "top", "structured"].map {
            try nix.output("nix-instantiate", [file, "-A", $0])
        }
        return (nix, paths)
    }

    @Test("drv paths prints nix's .drv path and output paths")
    func paths() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, drvs) = try instantiate(temporary)
        for drv in drvs {
            let keel = try KeelBinary.run(["drv", "paths", drv, "--store-dir", nix.storeDirectory])
            #expect(keel.status == 0, "\(keel.errorOutput)")
            var lines = keel.output.split(separator: "\n").map(String.init)
            #expect(lines.removeFirst() == drv)
            let outputs = try nix.output("nix-store", ["-q", "--outputs", drv]).split(separator: "\n").map(String.init)
            #expect(Set(lines.map { String($0.split(separator: " ")[1]) }) == Set(outputs))
        }
        let defaulted = try KeelBinary.run(["drv", "paths", drvs[2]])
        #expect(defaulted.output.hasPrefix(drvs[2] + "\n"), "the store dir defaults to the file's")
    }

    @Test("a structured-attributes derivation (no name variable) gets nix's paths, named after its file")
    func structuredAttributes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, drvs) = try instantiate(temporary)
        let structured = drvs[3]
        #expect(try String(contentsOfFile: structured, encoding: .utf8).contains(#"("__json","#))
        #expect(!(try String(contentsOfFile: structured, encoding: .utf8).contains(#"("name","#)))
        let keel = try KeelBinary.run(["drv", "paths", structured])
        #expect(keel.status == 0, "\(keel.errorOutput)")
        let outputs = try nix.output("nix-store", ["-q", "--outputs", structured]).split(separator: "\n")
        #expect(
            keel.output
                == ([structured]
                + ["doc", "out"].map { name in
                    "\(name) "
                        + (outputs.first { $0.hasSuffix(name == "out" ? "-structured" : "-structured-doc") } ?? "")
                }).joined(separator: "\n") + "\n")
    }

    @Test("a .drv whose input derivations are not sorted, as nix 2.8 stores it, gets nix's paths and JSON")
    func unsortedInputs() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let nix = try NixOracle(root: temporary.appending("nix"))
        let file = temporary.appending("two.nix")
        try #"""
        let a = derivation { name = "a"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo a > $out" ]; };
            b = derivation { name = "b"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo b > $out" ]; };
        in derivation { name = "top"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat ${a} ${b} > $out" ]; }
        """#.write(toFile: file, atomically: false, encoding: .utf8)
        let sorted = try nix.output("nix-instantiate", [file])
        let text = try String(contentsOfFile: sorted, encoding: .utf8)
        let references = try nix.output("nix-store", ["-q", "--references", sorted]).split(separator: "\n").sorted()
        try #require(references.count == 2)
        let entries = references.map { #"("\#($0)",["out"])"# }
        let unsorted = text.replacingOccurrences(
            of: entries.joined(separator: ","), with: entries.reversed().joined(separator: ","))
        #expect(unsorted != text)
        // Storing a file named *.drv makes nix parse and check it; the context adds its references.
        let saved = temporary.appending("unsorted.aterm")
        try unsorted.write(toFile: saved, atomically: false, encoding: .utf8)
        let context = references.map { "(builtins.storePath \"\($0)\")" }.joined(separator: " ")
        let stored = try nix.output(
            "nix-instantiate",
            [
                "--read-write-mode", "--eval", "-E",
                "builtins.toFile \"top.drv\" (builtins.readFile \(saved) + builtins.substring 0 0 (toString [ \(context) ]))",
            ]
        ).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        #expect(stored != sorted)
        #expect(try String(contentsOfFile: stored, encoding: .utf8) == unsorted)
        let keel = try KeelBinary.run(["drv", "paths", stored])
        #expect(keel.status == 0, "\(keel.errorOutput)")
        #expect(keel.output == stored + "\nout " + (try nix.output("nix-store", ["-q", "--outputs", stored])) + "\n")
        let shown = try KeelBinary.run(["drv", "show", stored])
        let ours = try JSONSerialization.jsonObject(with: Data(shown.standardOutput)) as? NSDictionary
        let theirs =
            try JSONSerialization.jsonObject(
                with: Data(try nix.run("nix", ["show-derivation", stored]).standardOutput)) as? NSDictionary
        #expect(ours != nil && ours == theirs)
    }

    @Test("drv show prints what nix show-derivation prints")
    func show() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let (nix, drvs) = try instantiate(temporary)
        for drv in drvs {
            let keel = try KeelBinary.run(["drv", "show", drv])
            #expect(keel.status == 0, "\(keel.errorOutput)")
            let nixJSON = try nix.run("nix", ["show-derivation", drv]).standardOutput
            let ours = try JSONSerialization.jsonObject(with: Data(keel.standardOutput)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: Data(nixJSON)) as? NSDictionary
            #expect(ours == theirs, "\(drv)")
        }
    }

    @Test("a broken or missing .drv exits 1 with one line")
    func badInput() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let broken = temporary.appending("broken.drv")
        try #"Derive([("out","#.write(toFile: broken, atomically: false, encoding: .utf8)
        for arguments in [["drv", "show", broken], ["drv", "paths", broken], ["drv", "show", "/nonexistent.drv"]] {
            let keel = try KeelBinary.run(arguments)
            #expect(keel.status == 1)
            #expect(keel.errorOutput.hasPrefix("keel: "))
            #expect(keel.errorOutput.split(separator: "\n").count == 1, "\(keel.errorOutput)")
        }
        #expect(try KeelBinary.run(["drv", "paths"]).status == 2)
        #expect(try KeelBinary.run(["drv", "show", "--help"]).status == 0)
        #expect(try KeelBinary.run(["drv", "paths", "--help"]).status == 0)
    }
}
