import Foundation
import KeelTesting
import Testing

@Suite("keel store add, info, closure, referrers", .ownThreads)
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

    @Test("a relative --root (trailing slash or not) names the same store as its absolute path")
    func relativeRoot() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try TestFiles.write(temporary.appending("file"), Array("relative\n".utf8))
        let relative = try KeelBinary.run(["store", "add", "file", "--root", "root/"], directory: temporary.path)
        #expect(relative.status == 0, "\(relative.errorOutput)")
        let path = relative.output.trimmingCharacters(in: .newlines)
        #expect(path.hasPrefix(temporary.appending("root/store/")))
        let info = try KeelBinary.run(["store", "info", path, "--root", temporary.appending("root")])
        #expect(info.status == 0, "\(info.errorOutput)")
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

    @Test("add-nar checks the expected hash; gc, delete, verify, export and import work end to end")
    func lifecycle() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.appending("root")
        let tree = temporary.appending("tree")
        var generator = RandomTree(seed: 9)
        try generator.make(at: tree)
        let nar = try KeelBinary.run(["nar", "dump", tree]).standardOutput
        let hash = try KeelBinary.run(["hash", "path", tree]).output.trimmingCharacters(in: .newlines)
        let wrong = try KeelBinary.run(["hash", "path", "/etc/hostname"]).output.trimmingCharacters(in: .newlines)

        let refused = try KeelBinary.run(
            ["store", "add-nar", "--name", "t", "--expect-hash", wrong, "--root", root], input: nar)
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("NAR hash mismatch") && refused.errorOutput.contains("nothing was added"))
        #expect(try KeelBinary.run(["store", "verify", "--root", root]).status == 0)
        let broken = try KeelBinary.run(
            ["store", "add-nar", "--name", "t", "--root", root], input: Array(nar.dropLast(8)))
        #expect(broken.status == 1 && broken.errorOutput.contains("invalid NAR"))

        let added = try KeelBinary.run(
            ["store", "add-nar", "--name", "t", "--expect-hash", hash, "--root", root], input: nar)
        #expect(added.status == 0, "\(added.errorOutput)")
        let expected = try KeelBinary.run(["store", "path-of", tree, "--name", "t", "--store-dir", root + "/store"])
            .output
        #expect(added.output == expected)
        let path = added.output.trimmingCharacters(in: .newlines)

        let exported = try KeelBinary.run(["store", "export", path, "--root", root])
        #expect(exported.status == 0)
        let other = temporary.appending("other")
        let imported = try KeelBinary.run(
            ["store", "import", "--root", other, "--store-dir", root + "/store-copy"], input: exported.standardOutput)
        #expect(imported.status == 1, "a stream for another store dir is refused")
        #expect(imported.errorOutput.contains("not in the store directory"))

        #expect(try KeelBinary.run(["store", "verify", "--check-contents", "--root", root]).status == 0)
        let gc = try KeelBinary.run(["store", "gc", "--dry-run", "--root", root])
        #expect(gc.output.contains(path) && gc.output.contains("would delete 1 store paths"))
        let deleted = try KeelBinary.run(["store", "delete", path, "--root", root])
        #expect(deleted.status == 0 && deleted.output == path + "\n")
        #expect(try KeelBinary.run(["store", "info", path, "--root", root]).status == 1)
        for verb in ["gc", "delete", "verify", "export", "import", "add-nar"] {
            #expect(try KeelBinary.run(["store", verb, "--help"]).status == 0)
        }
        #expect(
            try KeelBinary.run(["store", "add-nar", "--name", "t", "--expect-hash", "nope", "--root", root]).status == 2
        )
    }
}
