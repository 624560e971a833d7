import Foundation
import KeelTesting
import Testing

@Suite("keel nar, hash and store path-of against nix", .ownThreads)
struct NarHashCLITests {
    /// A small tree with the awkward cases, plus a private nix.
    final class Fixture {
        let temporary: TemporaryDirectory
        let nix: NixOracle
        let tree: String

        init() throws {
            temporary = try TemporaryDirectory()
            nix = try NixOracle(root: temporary.appending("nix"))
            tree = temporary.appending("tree")
            var generator = RandomTree(seed: 42)
            try generator.make(at: tree + "-random")
            let manager = FileManager.default
            try manager.createDirectory(atPath: tree + "/sub/empty", withIntermediateDirectories: true)
            try "hello\n".write(toFile: tree + "/a.txt", atomically: false, encoding: .utf8)
            try TestFiles.write(tree + "/run", Array("#!/bin/sh\n".utf8), permissions: 0o755)
            try manager.createSymbolicLink(atPath: tree + "/link", withDestinationPath: "a.txt")
            try manager.createSymbolicLink(atPath: tree + "/sub/dangling", withDestinationPath: "/does/not/exist")
            try TestFiles.write(tree + "/sub/ünï -x", Array("z".utf8))
        }

        deinit { temporary.remove() }
    }

    @Test("nar dump writes what nix-store --dump writes")
    func dump() throws {
        let fixture = try Fixture()
        for path in [fixture.tree, fixture.tree + "-random", fixture.tree + "/a.txt", fixture.tree + "/link"] {
            let keel = try KeelBinary.run(["nar", "dump", path])
            #expect(keel.status == 0, "\(keel.errorOutput)")
            #expect(
                keel.standardOutput == (try fixture.nix.run("nix-store", ["--dump", path]).standardOutput), "\(path)")
        }
    }

    @Test("nar restore of nix's NAR gives a tree nix dumps identically")
    func restore() throws {
        let fixture = try Fixture()
        let nar = try fixture.nix.run("nix-store", ["--dump", fixture.tree + "-random"]).standardOutput
        let destination = fixture.temporary.appending("restored")
        let keel = try KeelBinary.run(["nar", "restore", destination], input: nar)
        #expect(keel.status == 0, "\(keel.errorOutput)")
        #expect(try fixture.nix.run("nix-store", ["--dump", destination]).standardOutput == nar)
    }

    @Test("nar restore refuses a broken NAR with one line and leaves no destination")
    func restoreBroken() throws {
        let fixture = try Fixture()
        let nar = try fixture.nix.run("nix-store", ["--dump", fixture.tree]).standardOutput
        let destination = fixture.temporary.appending("broken")
        for input in [Array(nar.dropLast(16)), nar + [0, 0, 0, 0, 0, 0, 0, 0], Array("garbage".utf8)] {
            let keel = try KeelBinary.run(["nar", "restore", destination], input: input)
            #expect(keel.status == 1)
            #expect(keel.errorOutput.hasPrefix("keel: invalid NAR: "), "\(keel.errorOutput)")
            #expect(keel.errorOutput.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: destination))
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.temporary.path)
        #expect(!entries.contains { $0.contains("keel-restore") })
    }

    @Test(
        "nar restore to a destination that names no new entry says why, as nix-store --restore refuses it",
        arguments: [
            ("", "the destination is empty"), ("DIR/.", "it ends in '.'"), ("DIR/..", "it ends in '..'"),
            (".", "it ends in '.'"), ("..", "it ends in '..'"), ("DIR/new/", "it ends in '/'"),
            ("/", "it ends in '/'"),
        ])
    func restoreDestinations(destination: String, reason: String) throws {
        let fixture = try Fixture()
        let nar = try fixture.nix.run("nix-store", ["--dump", fixture.tree + "/a.txt"]).standardOutput
        let directory = fixture.temporary.appending("restore-here")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = destination.replacingOccurrences(of: "DIR", with: directory)
        #expect(throws: NixOracleError.self, "nix-store --restore refuses '\(path)' too") {
            try fixture.nix.run("nix-store", ["--restore", path], input: nar)
        }
        let keel = try KeelBinary.run(["nar", "restore", path], input: nar, directory: directory)
        #expect(keel.status == 1)
        #expect(keel.errorOutput.hasPrefix("keel: cannot restore to '\(path)': \(reason)"), "\(keel.errorOutput)")
        #expect(keel.errorOutput.split(separator: "\n").count == 1, "\(keel.errorOutput)")
        #expect(!keel.errorOutput.contains("Invalid argument"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "nothing was created")
    }

    @Test("hash path prints what nix hash path prints, in each encoding")
    func hashPath() throws {
        let fixture = try Fixture()
        for flags in [[], ["--base32"], ["--base16"], ["--type", "sha512"], ["--type", "sha1", "--base32"]] {
            let paths = [fixture.tree, fixture.tree + "-random", fixture.tree + "/a.txt"]
            let keel = try KeelBinary.run(["hash", "path"] + flags + paths)
            #expect(keel.status == 0, "\(keel.errorOutput)")
            #expect(keel.output == (try fixture.nix.run("nix", ["hash", "path"] + flags + paths).output), "\(flags)")
        }
        let file = try KeelBinary.run(["hash", "file", "--base32", fixture.tree + "/a.txt"])
        #expect(
            file.output == (try fixture.nix.run("nix", ["hash", "file", "--base32", fixture.tree + "/a.txt"]).output))
    }

    @Test("store path-of prints the path nix-store --add gives, for any store dir")
    func pathOf() throws {
        let fixture = try Fixture()
        for path in [fixture.tree, fixture.tree + "-random", fixture.tree + "/a.txt"] {
            let added = try fixture.nix.output("nix-store", ["--add", path])
            let name = String(path.split(separator: "/").last!)
            let keel = try KeelBinary.run([
                "store", "path-of", path, "--name", name, "--store-dir", fixture.nix.storeDirectory,
            ])
            #expect(keel.status == 0, "\(keel.errorOutput)")
            #expect(keel.output == added + "\n")
        }
        let hello = try KeelBinary.run(["store", "path-of", fixture.tree + "/a.txt", "--name", "hello.txt"])
        #expect(hello.output == "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\n")
    }

    @Test(
        "bad input exits 1 with one line on stderr",
        arguments: [
            ["hash", "path", "/nonexistent/keel"], ["nar", "dump", "/nonexistent/keel"],
            ["store", "path-of", "/etc/hostname", "--name", "bad name"],
            ["store", "path-of", "/etc/hostname", "--store-dir", "relative"],
        ])
    func badInput(arguments: [String]) throws {
        let keel = try KeelBinary.run(arguments)
        #expect(keel.status == 1)
        #expect(keel.errorOutput.hasPrefix("keel: "))
        #expect(keel.errorOutput.split(separator: "\n").count == 1, "\(keel.errorOutput)")
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["hash", "path"], ["hash", "path", "--bogus", "x"], ["hash", "path", "--base32", "--base16", "x"],
            ["hash", "path", "--type", "sha3", "x"], ["nar", "restore"], ["frobnicate"],
        ])
    func usageErrors(arguments: [String]) throws {
        #expect(try KeelBinary.run(arguments).status == 2)
    }

    @Test(
        "every command has help text",
        arguments: [
            [], ["nar"], ["nar", "dump"], ["nar", "restore"], ["hash"], ["hash", "path"], ["hash", "file"], ["store"],
            ["store", "path-of"],
        ])
    func help(arguments: [String]) throws {
        let keel = try KeelBinary.run(arguments + ["--help"])
        #expect(keel.status == 0)
        #expect(keel.output.contains("USAGE: keel"))
    }
}
