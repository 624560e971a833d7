import Foundation
import KeelTesting
import Testing

@Suite("keel store add, info, closure, referrers")
struct StoreCLITests {
    @Test("add prints nix's path for the store dir; info, closure and referrers describe it")
    func addAndQuery() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.appending("root")
        let nix = try NixOracle(root: temporary.appending("nix"), storeDirectory: root + "/store")
        let tree = temporary.appending("agent")
        var generator = RandomTree(seed: 5)
        try generator.make(at: tree)
        let added = try KeelBinary.run(["store", "add", tree, "--root", root])
        #expect(added.status == 0, "\(added.errorOutput)")
        let path = added.output.trimmingCharacters(in: .newlines)
        #expect(path == (try nix.output("nix", ["store", "add-path", "--dry-run", tree])))
        #expect(try KeelBinary.run(["store", "add", tree, "--root", root]).output == added.output)

        let info = try KeelBinary.run(["store", "info", path, "--json", "--root", root])
        #expect(info.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(info.standardOutput)) as? [String: Any]
        #expect(object?["path"] as? String == path)
        #expect(object?["narHash"] as? String == (try nix.output("nix", ["hash", "path", tree])))
        #expect((object?["ca"] as? String)?.hasPrefix("fixed:r:sha256:") == true)
        #expect(try KeelBinary.run(["store", "info", path, "--root", root]).output.contains("nar size:"))

        #expect(try KeelBinary.run(["store", "closure", path, "--root", root]).output == path + "\n")
        #expect(try KeelBinary.run(["store", "referrers", path, "--root", root]).output == "")
    }

    @Test("errors exit 1 with one line; usage errors exit 2")
    func errors() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.appending("root")
        for arguments in [
            ["store", "info", root + "/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-missing", "--root", root],
            ["store", "info", "/elsewhere/8nnk8h887pfkfd2dbvlhw4mrws352dbf-x", "--root", root],
            ["store", "add", "/nonexistent/keel", "--root", root],
            ["store", "add", "/etc/hostname", "--name", "bad name", "--root", root],
            ["store", "closure", root + "/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-missing", "--root", root],
        ] {
            let keel = try KeelBinary.run(arguments)
            #expect(keel.status == 1, "\(arguments)")
            #expect(
                keel.errorOutput.hasPrefix("keel: ") && keel.errorOutput.split(separator: "\n").count == 1,
                "\(keel.errorOutput)")
        }
        #expect(try KeelBinary.run(["store", "add", "--root", root]).status == 2)
        #expect(try KeelBinary.run(["store", "add", "a", "b", "--name", "x", "--root", root]).status == 2)
        for verb in ["add", "info", "closure", "referrers"] {
            #expect(try KeelBinary.run(["store", verb, "--help"]).status == 0)
        }
    }
}
