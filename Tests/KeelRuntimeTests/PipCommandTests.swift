import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// The resolver and the fetcher driving a stand-in pip (a shell script) that records its
/// arguments and leaves given files in `--dest`: no network.
@Suite("Pip command", .ownThreads)
struct PipCommandTests {
    let target = try! PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")

    /// A stand-in pip in `directory` that writes its arguments, one a line, to `argv` and the
    /// environment's `PATH` to `path`, then leaves each of `files` (holding `x`) in `--dest`.
    private func fakePip(in directory: TemporaryDirectory, leaving files: [String]) throws -> PipCommand {
        let script = """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(directory.appending("argv"))'
            printf '%s' "$PATH" > '\(directory.appending("path"))'
            while [ $# -gt 0 ]; do
              case "$1" in --dest) dest=$2; shift;; --log) log=$2; shift;; esac
              shift
            done
            : > "$log"
            mkdir -p "$dest"
            for file in \(files.map { "'\($0)'" }.joined(separator: " ")); do printf x > "$dest/$file"; done

            """
        let path = directory.appending("fake-pip")
        try FileSystem.replaceFile(atPath: path, with: Array(script.utf8), permissions: 0o755)
        return PipCommand(executable: [path], options: ["--no-cache-dir"])
    }

    private func failure(_ body: () throws(RuntimeError) -> [WheelPin]) -> String {
        do {
            return "no error, got \(try body())"
        } catch {
            return error.message
        }
    }

    private func arguments(in directory: TemporaryDirectory) throws -> [String] {
        String(decoding: try FileSystem.readWholeFile(directory.appending("argv")), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    @Test("resolving runs pip download for the target's tags, wheels only, with this process's environment")
    func resolveArguments() throws {
        let directory = try TemporaryDirectory(prefix: "keel-pip-command")
        defer { directory.remove() }
        let pip = try fakePip(in: directory, leaving: ["six-1.16.0-py2.py3-none-any.whl"])
        let cache = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: target)
        let pins = try WheelResolver(pip: pip, target: target, cache: cache).resolve(requirements: ["six"])
        // sha256 of "x".
        let digest = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        #expect(
            pins == [WheelPin(name: "six", version: "1.16.0", fileName: pins.first?.fileName ?? "", sha256: digest)])
        let argv = try arguments(in: directory)
        #expect(Array(argv.prefix(5)) == ["download", "--only-binary", ":all:", "--progress-bar", "off"])
        #expect(argv.contains("manylinux_2_36_x86_64") && argv.contains("manylinux1_x86_64"))
        #expect(!argv.contains("--no-deps"))
        let requirementsFile = try #require(argv.firstIndex(of: "-r").map { argv[$0 + 1] })
        #expect(requirementsFile.hasPrefix(cache.cacheDirectory + "/.resolve-"))
        let log = argv[argv.count - 3]
        #expect(
            Array(argv.suffix(6)) == [
                "--no-cache-dir", "-qqq", "--log", log, "--disable-pip-version-check", "--no-input",
            ])
        #expect(log.hasSuffix("/pip.log"))
        let path = String(decoding: try FileSystem.readWholeFile(directory.appending("path")), as: UTF8.self)
        #expect(path == Environment.value("PATH"))
        #expect(try WheelFetcher.fileNames(in: cache.cacheDirectory) == ["sha256-\(digest)"])
    }

    @Test("fetching runs pip download NAME==VERSION --no-deps, narrowed to the wheel's own tags")
    func fetchArguments() throws {
        let directory = try TemporaryDirectory(prefix: "keel-pip-command")
        defer { directory.remove() }
        let file = "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        let pip = try fakePip(in: directory, leaving: [file])
        let fetcher = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: target)
        let digest = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        let pin = WheelPin(name: "markupsafe", version: "2.1.5", fileName: file, sha256: digest)
        #expect(try fetcher.fetch(pin) == fetcher.cachedPath(for: pin))
        let argv = try arguments(in: directory)
        #expect(
            Array(argv.prefix(19)) == [
                "download", "markupsafe==2.1.5", "--no-deps", "--only-binary", ":all:", "--progress-bar", "off",
                "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64", "--dest",
                argv[18],
            ])
        #expect(argv[18].hasPrefix(fetcher.cacheDirectory + "/.fetch-"))
        #expect(fetcher.downloads == 1)
    }

    @Test("a source distribution pip leaves is refused by name, and nothing is cached")
    func sourceDistribution() throws {
        let directory = try TemporaryDirectory(prefix: "keel-pip-command")
        defer { directory.remove() }
        let pip = try fakePip(in: directory, leaving: ["six-1.16.0-py2.py3-none-any.whl", "docopt-0.6.2.tar.gz"])
        let cache = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: target)
        let resolver = WheelResolver(pip: pip, target: target, cache: cache)
        let message = failure { () throws(RuntimeError) in try resolver.resolve(requirements: ["docopt", "six"]) }
        #expect(message.hasPrefix("pip downloaded a file that is not a wheel: "))
        #expect(message.contains("'docopt-0.6.2.tar.gz'") && message.contains("source distribution"))
        #expect(try WheelFetcher.fileNames(in: cache.cacheDirectory).isEmpty)
    }

    @Test("a fetch that gives another file than the locked one keeps nothing")
    func otherFile() throws {
        let directory = try TemporaryDirectory(prefix: "keel-pip-command")
        defer { directory.remove() }
        let pip = try fakePip(in: directory, leaving: ["six-1.16.0-py3-none-any.whl"])
        let fetcher = WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: target)
        let pin = WheelPin(
            name: "six", version: "1.16.0", fileName: "six-1.16.0-py2.py3-none-any.whl",
            sha256: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")
        #expect(
            throws: RuntimeError(
                "pip downloaded 'six-1.16.0-py3-none-any.whl' for six==1.16.0, not the locked "
                    + "'six-1.16.0-py2.py3-none-any.whl'; nothing was kept")
        ) { try fetcher.fetch(pin) }
        #expect(try WheelFetcher.fileNames(in: fetcher.cacheDirectory).isEmpty)
    }
}
