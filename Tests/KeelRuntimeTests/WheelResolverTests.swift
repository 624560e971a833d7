import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// Resolution against the real package index, through the host's pip (`--no-cache-dir`: nothing
/// is kept outside the test's directory). numpy's wheel (~16 MB) is downloaded once per run.
@Suite("Wheel resolver", .timeLimit(.minutes(5)), .ownThreads)
struct WheelResolverTests {
    let target = try! PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")
    let pip = PipCommand(options: ["--no-cache-dir"])

    private func withResolver<R>(
        pip: PipCommand? = nil, _ body: (WheelResolver, WheelFetcher, TemporaryDirectory) throws -> R
    ) throws -> R {
        let directory = try TemporaryDirectory(prefix: "keel-wheel-resolver")
        defer { directory.remove() }
        let cache = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip ?? self.pip, target: target)
        return try body(WheelResolver(pip: pip ?? self.pip, target: target, cache: cache), cache, directory)
    }

    private func resolveError(_ requirements: [String], pip: PipCommand? = nil) throws -> String {
        try withResolver(pip: pip) { resolver, cache, _ in
            do throws(RuntimeError) {
                let pins = try resolver.resolve(requirements: requirements)
                return "no error, got \(pins)"
            } catch {
                let left = try WheelFetcher.fileNames(in: cache.cacheDirectory)
                #expect(left.isEmpty)
                return error.message
            }
        }
    }

    @Test("numpy==2.1.3 for CPython 3.11 pins one cp311 manylinux x86_64 wheel, and fetching it downloads nothing")
    func numpy() throws {
        try withResolver { resolver, cache, _ in
            let pins = try resolver.resolve(requirements: ["numpy==2.1.3"])
            try #require(pins.count == 1)
            let pin = pins[0]
            #expect(pin.name == "numpy" && pin.version == "2.1.3")
            let wheel = try WheelFileName(pin.fileName)
            #expect(wheel.pythonTags == ["cp311"] && wheel.abiTags == ["cp311"])
            #expect(wheel.platformTags.allSatisfy { $0.hasPrefix("manylinux") && $0.hasSuffix("_x86_64") })
            let path = try cache.fetch(pin)
            #expect(path == cache.cachedPath(for: pin))
            #expect(cache.downloads == 0)
            #expect(try sha256sum(path) == pin.sha256)
            #expect(try WheelFetcher.fileNames(in: cache.cacheDirectory) == ["sha256-\(pin.sha256)"])
        }
    }

    @Test("requests==2.32.3 pins it and its dependencies, the same twice, each hash as sha256sum says")
    func dependencies() throws {
        try withResolver { resolver, cache, _ in
            let pins = try resolver.resolve(requirements: ["# the HTTP client\nrequests==2.32.3\n", ""])
            #expect(pins.map(\.name) == ["certifi", "charset-normalizer", "idna", "requests", "urllib3"])
            #expect(pins.first { $0.name == "requests" }?.fileName == "requests-2.32.3-py3-none-any.whl")
            for pin in pins {
                #expect(try sha256sum(cache.fetch(pin)) == pin.sha256, "\(pin)")
            }
            #expect(cache.downloads == 0)
            #expect(try resolver.resolve(requirements: ["requests==2.32.3"]) == pins)
        }
    }

    @Test("a package with only a source distribution is refused by name")
    func sourceOnly() throws {
        #expect(
            try resolveError(["docopt==0.6.2"])
                == "package 'docopt' has no wheel for CPython 3.11 on manylinux_2_36 x86_64 (only a source "
                + "distribution); Keel installs wheels only")
    }

    @Test("a package whose wheels are for Windows only is refused by name")
    func otherPlatform() throws {
        #expect(
            try resolveError(["pywin32==306"])
                == "package 'pywin32' has no wheel for CPython 3.11 on manylinux_2_36 x86_64 (only wheels for other "
                + "platforms or Python versions); Keel installs wheels only")
    }

    @Test("a package that does not exist")
    func missing() throws {
        #expect(
            try resolveError(["keel-test-no-such-project-7f3c9a==1.0"])
                == "package 'keel-test-no-such-project-7f3c9a' does not exist on the package index pip uses "
                + "(pip found no release of it)")
    }

    @Test("a version no wheel satisfies lists the versions that have one")
    func unsatisfiable() throws {
        let message = try resolveError(["requests==0.0.999"])
        #expect(
            message.hasPrefix(
                "no wheel of 'requests' for CPython 3.11 on manylinux_2_36 x86_64 satisfies 'requests==0.0.999' "
                    + "(versions with such a wheel: …, 2."))
        #expect(message.hasSuffix("); Keel installs wheels only"))
    }

    @Test("no pip: a program that is not there, or an interpreter without the module")
    func noPip() throws {
        let absent = PipCommand(executable: ["/nonexistent/keel-test/python3", "-m", "pip"])
        #expect(
            try resolveError(["six"], pip: absent)
                == "pip is not installed: cannot run '/nonexistent/keel-test/python3': No such file or directory "
                + "(apt-get install python3-pip)")
        let unknown = PipCommand(executable: ["keel-test-no-such-python"])
        #expect(
            try resolveError(["six"], pip: unknown)
                == "pip is not installed: 'keel-test-no-such-python' is not in PATH (apt-get install python3-pip)")
        let noModule = PipCommand(executable: ["python3", "-m", "keel_test_no_such_module"])
        #expect(
            try resolveError(["six"], pip: noModule)
                == "pip is not installed: 'python3 -m keel_test_no_such_module' ended (exit status 1) before pip "
                + "started; its messages are above (apt-get install python3-pip)")
    }

    @Test("a pip running on another Python than the runtime's is refused: markers would be evaluated for it")
    func otherPython() throws {
        let other = try PipTarget(pythonVersion: "3.10", glibc: (2, 36), machine: "x86_64")
        let directory = try TemporaryDirectory(prefix: "keel-wheel-resolver")
        defer { directory.remove() }
        let cache = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: other)
        let hostVersion = try #require(
            try ProcessRunner.run("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).output
                .split(separator: "\n").first.map(String.init))
        try #require(hostVersion != "3.10")
        #expect(
            throws: RuntimeError(
                "'python3 -m pip' runs on Python \(hostVersion), not 3.10 as the runtime: pip would evaluate "
                    + "dependencies' environment markers for \(hostVersion); use a pip running on Python 3.10 (the "
                    + "runtime's own)")
        ) { try WheelResolver(pip: pip, target: other, cache: cache).resolve(requirements: ["anyio==4.4.0"]) }
    }

    @Test("no requirements: nothing to run")
    func empty() throws {
        let absent = PipCommand(executable: ["/nonexistent/keel-test/python3"])
        try withResolver(pip: absent) { resolver, _, _ in
            let pins = try resolver.resolve(requirements: ["", "# nothing\n"])
            #expect(pins.isEmpty)
        }
    }
}

/// The SHA-256 of the file at `path` as the host's `sha256sum` computes it.
private func sha256sum(_ path: String) throws -> String {
    let result = try ProcessRunner.run("sha256sum", [path])
    return String(result.output.prefix(64))
}
