import Foundation
import KeelTesting
import Testing

@Suite("keel drv against nix")
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
        }
        """#

    /// Instantiates the expression in a private store and returns the three .drv paths.
    func instantiate(_ temporary: TemporaryDirectory) throws -> (NixOracle, [String]) {
        let nix = try NixOracle(root: temporary.appending("nix"))
        let file = temporary.appending("drvs.nix")
        try Self.expression.write(toFile: file, atomically: false, encoding: .utf8)
        let paths = try ["fixed", "multi", "top"].map { try nix.output("nix-instantiate", [file, "-A", $0]) }
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
