import Foundation
import KeelTesting
import Testing

@Suite("keel switch with each kind of package: src, derivation, fetch (flat and unpacked), Nix .drv", .ownThreads)
struct HostPackagesCLITests {
    @Test("src: the tree goes in with its .gitignore'd files left out, at the path nix gives the filtered tree")
    func sourceWithIgnoredFiles() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("site/index.html", "<h1>hello</h1>\n")
        try fixture.write("site/run.sh", "#!/bin/sh\necho run\n", permissions: 0o755)
        try fixture.write("site/.gitignore", "*.log\n/build/\n!keep.log\n")
        try fixture.write("site/debug.log", "noise\n")
        try fixture.write("site/keep.log", "kept\n")
        try fixture.write("site/build/out.o", "object\n")
        try fixture.write("site/lib/nested/.gitignore", "secret.txt\n")
        try fixture.write("site/lib/nested/secret.txt", "hidden\n")
        try fixture.write("site/lib/nested/code.py", "print(1)\n")
        try fixture.write("site/.git/HEAD", "ref: refs/heads/main\n")
        try fixture.writeConfig(
            """
            [host]
            name = "sources"

            [packages.site]
            src = "./site"
            """)
        let system = try fixture.switchExpectingSuccess()
        let path = try HostFixture.packagePath("site", in: system)
        let present = ["index.html", "run.sh", ".gitignore", "keep.log", "lib/nested/.gitignore", "lib/nested/code.py"]
        for entry in present {
            #expect(FileManager.default.fileExists(atPath: path + "/" + entry), "\(entry) is missing from \(path)")
        }
        for entry in ["debug.log", "build", "lib/nested/secret.txt", ".git"] {
            #expect(!FileManager.default.fileExists(atPath: path + "/" + entry), "\(entry) should be left out")
        }
        #expect(FileManager.default.isExecutableFile(atPath: path + "/run.sh"))

        // The oracle: nix adds a copy of the tree without the ignored entries at the same path.
        let copy = fixture.temporary.appending("filtered")
        try FileManager.default.copyItem(atPath: fixture.configDirectory + "/site", toPath: copy)
        for entry in ["debug.log", "build", "lib/nested/secret.txt", ".git"] {
            try FileManager.default.removeItem(atPath: copy + "/" + entry)
        }
        let nixPath = try fixture.nix().output("nix", ["store", "add-path", "--dry-run", "--name", "site", copy])
        #expect(path == nixPath)
        #expect(system.hasPrefix(fixture.storeDirectory + "/"))
        #expect(system.hasSuffix("-keel-system-sources"))
    }

    @Test("derivation: ${packages.NAME} expands in builder, args and env, and the inputs are visible to the builder")
    func derivationWithInputs() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.addBusybox()
        try fixture.write("site/greeting.txt", "hello from site\n")
        try fixture.writeConfig(
            """
            [host]
            name = "builds"

            [packages.tools]
            src = "./tools"

            [packages.site]
            src = "./site"

            [packages.page]
            builder = "${packages.tools}/bin/busybox"
            args = ["sh", "-c", "$bb mkdir $out && $bb cat ${packages.site}/greeting.txt > $out/copied && echo ${packages.site} > $out/from-args && echo $SITE > $out/from-env && $bb ls ${packages.tools}/bin > $out/tools"]
            env = { bb = "${packages.tools}/bin/busybox", SITE = "${packages.site}" }
            inputs = ["site"]

            [agents.web]
            command = ["${packages.page}/copied"]
            """)
        let system = try fixture.switchExpectingSuccess()
        let page = try HostFixture.packagePath("page", in: system)
        let site = try HostFixture.packagePath("site", in: system)
        func read(_ name: String) throws -> String { try String(contentsOfFile: page + "/" + name, encoding: .utf8) }
        #expect(try read("copied") == "hello from site\n")
        #expect(try read("from-args") == site + "\n")
        #expect(try read("from-env") == site + "\n")
        #expect(try read("tools") == "busybox\n")

        let manifest = try HostFixture.manifest(of: system)
        let packages = try #require(manifest["packages"] as? [String: [String: Any]])
        #expect(packages["page"]?["kind"] as? String == "derivation")
        let drv = try #require(packages["page"]?["drv"] as? String)
        #expect(drv.hasSuffix("-page.drv"))
        #expect(try fixture.isValid(drv))
        let agents = try #require(manifest["agents"] as? [String: [String: Any]])
        #expect(agents["web"]?["command"] as? [String] == [page + "/copied"])

        // The .drv Keel wrote names its inputs: both source packages it uses.
        let shown = try fixture.keel(["drv", "show", drv])
        #expect(shown.status == 0, "\(shown.errorOutput)")
        #expect(shown.output.contains(site))
        #expect(shown.output.contains(try HostFixture.packagePath("tools", in: system)))
    }

    @Test("fetch with a hash in keel.toml: no lock needed; the file lands at nix's flat fixed-output path")
    func fetchWithHash() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("files/payload.bin", bytes: Array((0..<3000).map { UInt8($0 % 251) }))
        let file = fixture.configDirectory + "/files/payload.bin"
        let hash = try fixture.nixFileHash(file)
        try fixture.writeConfig(
            """
            [host]
            name = "fetches"

            [packages.payload]
            url = "file://\(file)"
            hash = "\(hash)"
            """)
        let system = try fixture.switchExpectingSuccess()
        #expect(fixture.lockText() == nil, "a switch without --update-lock writes no keel.lock")
        let path = try HostFixture.packagePath("payload", in: system)
        #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: file))
        let nixPath = try fixture.nix().output("nix", ["store", "add-file", "--dry-run", "--name", "payload", file])
        #expect(path == nixPath)

        // A wrong hash is a failed fetch that names the package; nothing is switched.
        try fixture.writeConfig(
            """
            [host]
            name = "fetches"

            [packages.payload]
            url = "file://\(file)"
            hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
            """)
        let wrong = try fixture.switchSystem()
        #expect(wrong.status == 1, "\(wrong.transcript)")
        #expect(wrong.errorOutput.contains("payload"), "\(wrong.errorOutput)")
        #expect(fixture.generationNumbers() == [1])
        let wrongLock = try fixture.lock()
        #expect(wrongLock.status == 1, "\(wrongLock.transcript)")
        for piece in ["package 'payload'", hash, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="] {
            #expect(wrongLock.errorOutput.contains(piece), "no '\(piece)' in \(wrongLock.errorOutput)")
        }
        #expect(fixture.lockText() == nil)
    }

    @Test("fetch without a hash: switch refuses it until keel lock records the file's hash; then it is fetched")
    func fetchLocked() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("files/tool.sh", "#!/bin/sh\necho tool\n")
        let file = fixture.configDirectory + "/files/tool.sh"
        try fixture.writeConfig(
            """
            [host]
            name = "fetches"

            [packages.tool]
            url = "file://\(file)"
            executable = true
            """)
        let refused = try fixture.switchSystem()
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("package 'tool'") && refused.errorOutput.contains("is not locked"))
        #expect(fixture.currentGeneration() == nil)

        let locked = try fixture.lock()
        #expect(locked.status == 0, "\(locked.errorOutput)")
        // An executable download is pinned as Nix's fetchurl pins it: recursively, by the NAR of
        // the executable file (keel.lock keeps the file's own hash too).
        let executable = fixture.temporary.appending("tool")
        try TestFiles.write(executable, Array(try Data(contentsOf: URL(fileURLWithPath: file))), permissions: 0o755)
        let expected = """
            # keel.lock: written by `keel lock` and `keel switch --update-lock`. Commit it with keel.toml.
            version = 1

            [fetch.tool]
            url = "file://\(file)"
            hash = "\(try fixture.nixFileHash(file))"
            nar_hash = "\(try fixture.nixTreeHash(executable))"

            """
        #expect(fixture.lockText() == expected)
        let system = try fixture.switchExpectingSuccess()
        let path = try HostFixture.packagePath("tool", in: system)
        #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: file))
        #expect(FileManager.default.isExecutableFile(atPath: path))
        let nixPath = try fixture.nix().output("nix", ["store", "add-path", "--dry-run", "--name", "tool", executable])
        #expect(path == nixPath)
    }

    @Test("fetch with unpack = true: a python-made .tar.gz is unpacked, its single top directory stripped")
    func fetchUnpacked() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let tree = fixture.temporary.appending("tree/tool-1.0")
        try FileManager.default.createDirectory(atPath: tree + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tree + "/share/doc", withIntermediateDirectories: true)
        try TestFiles.write(tree + "/bin/tool", Array("#!/bin/sh\necho tool\n".utf8), permissions: 0o755)
        try TestFiles.write(tree + "/share/doc/README", Array("read me\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: tree + "/share/tool", withDestinationPath: "../bin/tool")
        let archive = fixture.temporary.appending("tool-1.0.tar.gz")
        let script = """
            import sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz") as archive:
                archive.add(sys.argv[2], arcname="tool-1.0")
            """
        let made = try ProcessRunner.run("python3", ["-c", script, archive, tree])
        #expect(made.status == 0, "\(made.errorOutput)")
        try fixture.writeConfig(
            """
            [host]
            name = "unpacks"

            [packages.tool]
            url = "file://\(archive)"
            unpack = true
            """)
        let locked = try fixture.lock(["--json"])
        #expect(locked.status == 0, "\(locked.errorOutput)")
        let entry = try #require((try HostFixture.object(locked)["fetch"] as? [String: Any])?["tool"] as? [String: Any])
        #expect(entry["hash"] as? String == (try fixture.nixFileHash(archive)))
        #expect(entry["nar_hash"] as? String == (try fixture.nixTreeHash(tree)))
        #expect(fixture.lockText()?.contains("nar_hash = \"\(try fixture.nixTreeHash(tree))\"") == true)

        let system = try fixture.switchExpectingSuccess()
        let path = try HostFixture.packagePath("tool", in: system)
        #expect(try fixture.nixTreeHash(path) == (try fixture.nixTreeHash(tree)))
        #expect(FileManager.default.isExecutableFile(atPath: path + "/bin/tool"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path + "/share/tool") == "../bin/tool")
        #expect(!FileManager.default.fileExists(atPath: path + "/tool-1.0"))
        let nixPath = try fixture.nix().output("nix", ["store", "add-path", "--dry-run", "--name", "tool", tree])
        #expect(path == nixPath)
    }

    @Test(
        "drv: a .drv made by nix-instantiate for Keel's store directory is locked, imported and built by Keel as nix builds it"
    )
    func nixDerivation() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        let nixRoot = fixture.temporary.appending("nix")
        try FileManager.default.createDirectory(atPath: nixRoot, withIntermediateDirectories: true)
        let nix = try NixBuildOracle(root: nixRoot, storeDirectory: fixture.storeDirectory)
        // The builder is busybox in an input source of the derivation (nix adds the directory).
        try FileManager.default.createDirectory(
            atPath: fixture.temporary.appending("tools/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "/bin/busybox", toPath: fixture.temporary.appending("tools/bin/busybox"))
        let expression = fixture.temporary.appending("hello.nix")
        try TestFiles.write(
            expression,
            Array(
                """
                derivation {
                  name = "hello-2.0"; system = builtins.currentSystem; builder = "${./tools}/bin/busybox";
                  args = [ "sh" "-c" "echo hello from nix > $out" ];
                }
                """.utf8))
        let drv = try #require(try nix.instantiate(expression).first)
        let file = nix.physicalPath(drv)
        try fixture.writeConfig(
            """
            [host]
            name = "nixdrv"

            [packages.hello]
            drv = "\(file)"
            """)
        let refused = try fixture.switchSystem()
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("is not locked"), "\(refused.errorOutput)")
        #expect(try fixture.lock().status == 0)
        #expect(
            fixture.lockText()?.contains("[drv.hello]\npath = \"\(file)\"\nhash = \"\(try fixture.nixFileHash(file))\"")
                == true)

        let system = try fixture.switchExpectingSuccess()
        let path = try HostFixture.packagePath("hello", in: system)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello from nix\n")
        let built = try #require(try nix.build([drv]).first)
        #expect(path == built)
        let info = try HostFixture.object(try fixture.keelWithStore(["store", "info", "--json", path]))
        let nixHash = try nix.narHash(built)
        #expect(info["narHash"] as? String == (try fixture.nix().output("nix", ["hash", "to-sri", nixHash])))
        let manifest = try HostFixture.manifest(of: system)
        let package = (manifest["packages"] as? [String: [String: Any]])?["hello"]
        #expect(package?["kind"] as? String == "drv")
        #expect(package?["drv"] as? String == drv)
    }

    @Test("a derivation's inputs may be a fetched file, an unpacked archive and a Nix .drv with inputs of its own")
    func derivationOfEveryKind() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.addBusybox()
        let nixRoot = fixture.temporary.appending("nix")
        try FileManager.default.createDirectory(atPath: nixRoot, withIntermediateDirectories: true)
        let nix = try NixBuildOracle(root: nixRoot, storeDirectory: fixture.storeDirectory)
        try FileManager.default.createDirectory(
            atPath: fixture.temporary.appending("tools/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "/bin/busybox", toPath: fixture.temporary.appending("tools/bin/busybox"))
        let expression = fixture.temporary.appending("chain.nix")
        try TestFiles.write(
            expression,
            Array(
                """
                let
                  bb = "${./tools}/bin/busybox";
                  base = derivation {
                    name = "base"; system = builtins.currentSystem; builder = bb;
                    args = [ "sh" "-c" "echo base > $out" ];
                  };
                in derivation {
                  name = "top"; system = builtins.currentSystem; builder = bb;
                  args = [ "sh" "-c" "${bb} cat ${base} > $out; echo top >> $out" ];
                }
                """.utf8))
        let drv = try #require(try nix.instantiate(expression).first)
        try fixture.write("files/note", "fetched note\n")
        let tree = fixture.temporary.appending("tree/pkg")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try TestFiles.write(tree + "/inner", Array("unpacked\n".utf8))
        let archive = fixture.temporary.appending("pkg.tar.gz")
        let script =
            "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w:gz') as a: a.add(sys.argv[2], arcname='pkg')"
        #expect(try ProcessRunner.run("python3", ["-c", script, archive, tree]).status == 0)
        try fixture.writeConfig(
            """
            [host]
            name = "inputs"

            [packages.tools]
            src = "./tools"

            [packages.note]
            url = "file://\(fixture.configDirectory)/files/note"

            [packages.pkg]
            url = "file://\(archive)"
            unpack = true

            [packages.top]
            drv = "\(nix.physicalPath(drv))"

            [packages.all]
            builder = "${packages.tools}/bin/busybox"
            args = ["sh", "-c", "$bb cat ${packages.note} ${packages.pkg}/inner ${packages.top} > $out"]
            env = { bb = "${packages.tools}/bin/busybox" }
            """)
        #expect(try fixture.lock().status == 0)
        let evaluated = try fixture.eval()
        #expect(evaluated.status == 0, "\(evaluated.transcript)")
        let system = try fixture.switchExpectingSuccess()
        #expect(system == evaluated.output.trimmingCharacters(in: .newlines))
        let all = try HostFixture.packagePath("all", in: system)
        #expect(try String(contentsOfFile: all, encoding: .utf8) == "fetched note\nunpacked\nbase\ntop\n")
    }
}
