import Foundation
import KeelTesting
import Testing

/// Agent runtimes end to end with real packages from the registries this machine reaches:
/// `keel lock` against the host's apt lists and PyPI, builds under separate roots, and programs
/// run with `keel run` in the runtime's view. The suite's tests share one download cache
/// (`KEEL_CACHE_DIR`) so each .deb and wheel is downloaded once per run. Every keel runs on a
/// thread of its own (`Blocking`): these tests wait minutes in all, and the cooperative pool's
/// threads belong to the async tests running beside them.
@Suite("Runtimes: Debian packages and wheels pinned by hash, run in their own view", .serialized, .ownThreads)
struct RuntimeCLITests {
    /// The download cache the suite shares.
    static let cache: String = {
        let directory = NSTemporaryDirectory() + "keel-runtime-cache-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    static let pythonRuntime = """
        [host]
        name = "runtime-test"

        [packages.py]
        debian = ["python3.11-minimal", "libpython3.11-stdlib"]

        """

    /// Runs keel in `directory` with the shared cache (and `path` as PATH when given).
    static func keel(_ arguments: [String], in directory: String, path: String? = nil, input: [UInt8] = [])
        async throws -> ProcessResult
    {
        var environment = ProcessInfo.processInfo.environment
        environment["KEEL_CACHE_DIR"] = cache
        if let path { environment["PATH"] = path }
        return try await Blocking.run { [environment] in
            try ProcessRunner.run(
                KeelBinary.path, arguments, environment: environment, input: input, directory: directory)
        }
    }

    /// The store path named `name` under `root` (a runtime's environment is named after its package).
    static func storePath(named name: String, in root: String) throws -> String {
        let store = root + "/store"
        let matches = try FileManager.default.contentsOfDirectory(atPath: store).filter {
            $0.count == 33 + name.count && $0.hasSuffix("-" + name)
        }
        try #require(matches.count == 1, "\(name) in \(store): \(matches)")
        return store + "/" + matches[0]
    }

    /// The NAR hash of every store path of a runtime (its environment and its parts), by name.
    static func runtimeHashes(in root: String, environment: String) async throws -> [String: String] {
        let store = root + "/store"
        let names = try FileManager.default.contentsOfDirectory(atPath: store).filter { name in
            let suffix = name.dropFirst(33)
            return suffix.hasPrefix("deb-") || suffix.hasPrefix("wheel-") || suffix == environment
        }
        var hashes: [String: String] = [:]
        for name in names {
            let path = store + "/" + name
            let result = try await Blocking.run { try KeelBinary.run(["hash", "path", path]) }
            try #require(result.status == 0, "\(result.errorOutput)")
            hashes[String(name.dropFirst(33))] = result.output
        }
        return hashes
    }

    @Test("a Debian Python runtime: one lock, two roots, the same bits; its view shows only the runtime")
    func debianPythonRuntime() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime")
        defer { directory.remove() }
        try TestFiles.write(directory.appending("keel.toml"), Array(Self.pythonRuntime.utf8))
        let lock = try await Self.keel(["lock"], in: directory.path)
        try #require(lock.status == 0, "\(lock.errorOutput)")
        let locked = try String(contentsOfFile: directory.appending("keel.lock"), encoding: .utf8)
        #expect(locked.contains("[runtime.py]") && locked.contains("name = \"libc6\""))
        let again = try await Self.keel(["lock"], in: directory.path)
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: directory.appending("keel.lock"), encoding: .utf8) == locked)

        let first = directory.appending("root-a")
        let check = "import ssl, json, sqlite3; print(ssl.OPENSSL_VERSION)"
        let run = try await Self.keel(
            ["run", "--root", first, "py", "--", "python3.11", "-c", check], in: directory.path)
        try #require(run.status == 0, "\(run.errorOutput)")
        #expect(run.output.hasPrefix("OpenSSL 3."), "\(run.output)")

        // Everything the program can see under /usr, /bin, /lib, /lib64, /sbin and /etc is the
        // runtime's (or one of the few /etc files the view writes), and host programs are not.
        let environment = try Self.storePath(named: "py", in: first)
        let walk = """
            import os
            for top in ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc"]:
                for directory, _, files in os.walk(top):
                    for name in files:
                        print(os.path.join(directory, name))
            """
        let listing = try await Self.keel(
            ["run", "--root", first, "py", "--", "python3.11", "-c", walk], in: directory.path)
        try #require(listing.status == 0, "\(listing.errorOutput)")
        let seen = listing.output.split(separator: "\n").map(String.init)
        #expect(seen.count > 500, "\(seen.count) files visible")
        #expect(seen.contains("/usr/bin/python3.11") && seen.contains("/lib/x86_64-linux-gnu/libc.so.6"))
        let written: Set<String> = ["/etc/hostname", "/etc/hosts", "/etc/passwd", "/etc/group", "/etc/resolv.conf"]
        let foreign = seen.filter { path in
            !written.contains(path) && (try? FileManager.default.attributesOfItem(atPath: environment + path)) == nil
        }
        #expect(foreign.isEmpty, "visible but not in the runtime: \(foreign.prefix(10))")
        for hostOnly in ["/usr/bin/apt-get", "/usr/bin/git", "/usr/bin/perl"] {
            #expect(FileManager.default.fileExists(atPath: hostOnly) && !seen.contains(hostOnly), "\(hostOnly)")
        }

        // A second root with the same keel.toml and keel.lock: the same bits, and nothing
        // downloaded (apt-get is not even on PATH: every .deb comes from the cache).
        let second = directory.appending("root-b")
        let rerun = try await Self.keel(
            ["run", "--root", second, "py", "--", "python3.11", "-c", check], in: directory.path, path: "/var/empty")
        try #require(rerun.status == 0, "\(rerun.errorOutput)")
        #expect(rerun.output == run.output)
        let hashesA = try await Self.runtimeHashes(in: first, environment: "py")
        let hashesB = try await Self.runtimeHashes(in: second, environment: "py")
        #expect(hashesA.count > 30 && hashesA == hashesB)
    }

    @Test("leave_out keeps glibc's iconv modules out of a Python runtime, which still encodes every codec it has")
    func leaveOut() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime-leave-out")
        defer { directory.remove() }
        let config = Self.pythonRuntime + "leave_out = [\"/lib/x86_64-linux-gnu/gconv\", \"/usr/bin/pydoc3.11\"]\n"
        try TestFiles.write(directory.appending("keel.toml"), Array(config.utf8))
        let lock = try await Self.keel(["lock"], in: directory.path)
        try #require(lock.status == 0, "\(lock.errorOutput)")
        let root = directory.appending("root")
        let check = """
            import os, encodings.aliases
            for name in sorted(set(encodings.aliases.aliases.values())):
                try:
                    "keel".encode(name)
                except LookupError:
                    pass
            print(os.path.exists("/usr/lib/x86_64-linux-gnu/gconv"), os.path.exists("/usr/bin/pydoc3.11"),
                  os.path.exists("/usr/lib/x86_64-linux-gnu/libc.so.6"), "é".encode("shift_jis", "replace"))
            """
        let run = try await Self.keel(
            ["run", "--root", root, "py", "--", "python3.11", "-c", check], in: directory.path)
        try #require(run.status == 0, "\(run.errorOutput)")
        #expect(run.output == "False False True b'?'\n", "\(run.output)")
        let environment = try Self.storePath(named: "py", in: root)
        #expect(!FileManager.default.fileExists(atPath: environment + "/usr/lib/x86_64-linux-gnu/gconv"))
        #expect(FileManager.default.fileExists(atPath: environment + "/usr/bin/python3.11"))
    }

    @Test("a runtime with the NumPy wheel pinned computes with it, loading only files of its view")
    func numpyWheelRuntime() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime")
        defer { directory.remove() }
        // NumPy's manylinux wheel links the system's libstdc++, as the manylinux policy allows.
        let config = """
            [host]
            name = "runtime-test"

            [packages.py]
            debian = ["python3.11-minimal", "libpython3.11-stdlib", "libstdc++6"]

            [packages.ml]
            python = "py"
            wheels = ["numpy==2.1.3"]
            """
        try TestFiles.write(directory.appending("keel.toml"), Array(config.utf8))
        let lock = try await Self.keel(["lock"], in: directory.path)
        try #require(lock.status == 0, "\(lock.errorOutput)")
        let locked = try String(contentsOfFile: directory.appending("keel.lock"), encoding: .utf8)
        #expect(locked.contains("[runtime.ml]") && locked.contains("file = \"numpy-2.1.3-cp311-cp311-manylinux"))
        let program = """
            import numpy, os
            print(numpy.linalg.inv(numpy.array([[2.0, 0.0], [0.0, 4.0]])).tolist())
            print(numpy.__file__)
            mapped = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line.split()[-1]}
            print(sorted(path for path in mapped if not path.startswith(("/usr/", "/lib", "/bin"))))
            """
        let root = directory.appending("root")
        let run = try await Self.keel(
            ["run", "--root", root, "ml", "--", "python3.11", "-c", program], in: directory.path)
        try #require(run.status == 0, "\(run.errorOutput)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "[[0.5, 0.0], [0.0, 0.25]]", "\(run.output)")
        #expect(lines.dropFirst().first == "/usr/local/lib/python3.11/dist-packages/numpy/__init__.py")
        #expect(lines.last == "[]", "files mapped from outside the runtime: \(run.output)")
    }

    @Test("lock errors: a package that does not exist, a version that does not; nothing is written")
    func lockErrors() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime")
        defer { directory.remove() }
        for (request, expected) in [
            ("no-such-package-keel", "no-such-package-keel"), ("python3.11-minimal=0.0.1", "0.0.1"),
        ] {
            let config = "[host]\nname = \"x\"\n[packages.py]\ndebian = [\"\(request)\"]\n"
            try Data(config.utf8).write(to: URL(fileURLWithPath: directory.appending("keel.toml")))
            let lock = try await Self.keel(["lock"], in: directory.path)
            #expect(lock.status == 1)
            #expect(
                lock.errorOutput.contains("package 'py'") && lock.errorOutput.contains(expected), "\(lock.errorOutput)")
            #expect(!FileManager.default.fileExists(atPath: directory.appending("keel.lock")))
        }
    }

    @Test("a lock whose hash is wrong, and a damaged cached .deb: clear errors, and nothing registered")
    func wrongHashes() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime")
        defer { directory.remove() }
        let config = "[host]\nname = \"x\"\n[packages.bb]\ndebian = [\"busybox-static\"]\n"
        try TestFiles.write(directory.appending("keel.toml"), Array(config.utf8))
        let lock = try await Self.keel(["lock"], in: directory.path)
        try #require(lock.status == 0, "\(lock.errorOutput)")
        let text = try String(contentsOfFile: directory.appending("keel.lock"), encoding: .utf8)
        let pinned = String(try #require(text.firstMatch(of: /sha256 = "([0-9a-f]{64})"/)?.output.1))
        let wrong = String(pinned.reversed())
        try Data(text.replacingOccurrences(of: pinned, with: wrong).utf8).write(
            to: URL(fileURLWithPath: directory.appending("keel.lock")))
        let root = directory.appending("root")
        let run = try await Self.keel(["run", "--root", root, "bb", "--", "busybox", "true"], in: directory.path)
        #expect(run.status == 1)
        #expect(run.errorOutput.contains(pinned) && run.errorOutput.contains(wrong), "\(run.errorOutput)")
        let store = (try? FileManager.default.contentsOfDirectory(atPath: root + "/store")) ?? []
        #expect(!store.contains { $0.hasSuffix(".deb") || $0.contains("-deb-busybox") }, "\(store)")

        // The right lock builds; then the cached .deb is damaged: a build under a new root stops
        // with the file named, registers nothing, and the next build downloads it again.
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory.appending("keel.lock")))
        let good = try await Self.keel(["run", "--root", root, "bb", "--", "busybox", "true"], in: directory.path)
        #expect(good.status == 0, "\(good.errorOutput)")
        let cached = Self.cache + "/debs/sha256-" + pinned
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: cached).first)
        let handle = try #require(FileHandle(forUpdatingAtPath: cached + "/" + file))
        try handle.seek(toOffset: 100)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()
        let fresh = directory.appending("root-fresh")
        let damaged = try await Self.keel(["run", "--root", fresh, "bb", "--", "busybox", "true"], in: directory.path)
        #expect(damaged.status == 1)
        #expect(damaged.errorOutput.contains("damaged") && damaged.errorOutput.contains(file), "\(damaged.errorOutput)")
        let freshStore = (try? FileManager.default.contentsOfDirectory(atPath: fresh + "/store")) ?? []
        #expect(!freshStore.contains { $0.contains("-deb-busybox") || $0.hasSuffix("-bb") }, "\(freshStore)")
        #expect(!FileManager.default.fileExists(atPath: cached))
    }

    @Test("keel shell runs the runtime's shell with the terminal's input and exits with its status")
    func shell() async throws {
        let directory = try TemporaryDirectory(prefix: "keel-runtime")
        defer { directory.remove() }
        let config =
            "[host]\nname = \"x\"\n[packages.sh]\ndebian = [\"dash\"]\n[packages.bb]\ndebian = [\"busybox-static\"]\n"
        try TestFiles.write(directory.appending("keel.toml"), Array(config.utf8))
        let lock = try await Self.keel(["lock"], in: directory.path)
        try #require(lock.status == 0, "\(lock.errorOutput)")
        let root = directory.appending("root")
        let shell = try await Self.keel(
            ["shell", "--root", root, "sh"], in: directory.path,
            input: Array("echo $((6 * 7)) $(pwd); exit 3\n".utf8))
        #expect(shell.status == 3, "\(shell.errorOutput)")
        #expect(shell.output == "42 \(directory.path)\n", "\(shell.output)")
        let none = try await Self.keel(["shell", "--root", root, "bb"], in: directory.path)
        #expect(none.status == 1)
        #expect(none.errorOutput.contains("runtime 'bb' has no shell: add bash or dash"), "\(none.errorOutput)")
        let missing = try await Self.keel(["run", "--root", root, "bb", "--", "git", "status"], in: directory.path)
        #expect(missing.status == 1)
        #expect(missing.errorOutput.contains("'git' is not in runtime 'bb'"), "\(missing.errorOutput)")
    }
}
