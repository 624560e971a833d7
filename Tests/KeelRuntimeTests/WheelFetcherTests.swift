import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// Fetches of small real wheels from the package index, through the host's pip
/// (`--no-cache-dir`: nothing is kept outside the test's directory).
@Suite("Wheel fetcher", .timeLimit(.minutes(5)), .ownThreads)
struct WheelFetcherTests {
    let target = try! PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")
    let pip = PipCommand(options: ["--no-cache-dir"])
    /// A pure wheel of 11 KB.
    let six = WheelPin(
        name: "six", version: "1.16.0", fileName: "six-1.16.0-py2.py3-none-any.whl",
        sha256: "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254")
    /// A compiled wheel of 28 KB, fetched with its own manylinux tags.
    let markupSafe = WheelPin(
        name: "markupsafe", version: "2.1.5",
        fileName: "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        sha256: "b91c037585eba9095565a3556f611e3cbfaa42ca1e865f7b8015fe5c7336d5a5")

    private func withFetcher<R>(_ body: (WheelFetcher) throws -> R) throws -> R {
        let directory = try TemporaryDirectory(prefix: "keel-wheel-fetcher")
        defer { directory.remove() }
        return try body(WheelFetcher(cacheDirectory: directory.appending("cache"), pip: pip, target: target))
    }

    private func failure(_ body: () throws(RuntimeError) -> String) -> String {
        do {
            return "no error, got \(try body())"
        } catch {
            return error.message
        }
    }

    @Test("a second fetch downloads nothing and gives the same verified file")
    func cached() throws {
        try withFetcher { fetcher in
            let path = try fetcher.fetch(six)
            #expect(path == fetcher.cachedPath(for: six))
            #expect(fetcher.downloads == 1)
            #expect(try sha256sum(path) == six.sha256)
            #expect(try fetcher.fetch(six) == path)
            #expect(fetcher.downloads == 1)
            #expect(try WheelFetcher.fileNames(in: fetcher.cacheDirectory) == ["sha256-\(six.sha256)"])
        }
    }

    @Test("a compiled wheel is fetched by its own tags")
    func compiled() throws {
        try withFetcher { fetcher in
            let path = try fetcher.fetch(markupSafe)
            #expect(try sha256sum(path) == markupSafe.sha256)
            #expect(fetcher.downloads == 1)
        }
    }

    @Test("a corrupted cached wheel is an error naming it and both hashes; it is removed, and fetched again next")
    func corrupted() throws {
        try withFetcher { fetcher in
            let path = try fetcher.fetch(six)
            var bytes = try FileSystem.readWholeFile(path)
            bytes[bytes.count / 2] ^= 0x01
            try FileSystem.replaceFile(atPath: path, with: bytes)
            let actual = try sha256sum(path)
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(six) }
                    == "cached wheel '\(path)' has SHA-256 \(actual), not \(six.sha256) as locked: it was corrupted "
                    + "and is removed (fetching again downloads it)")
            let left = try WheelFetcher.fileNames(in: fetcher.cacheDirectory)
            #expect(left.isEmpty)
            #expect(fetcher.downloads == 1)
            #expect(try sha256sum(fetcher.fetch(six)) == six.sha256)
            #expect(fetcher.downloads == 2)
        }
    }

    @Test("a pin whose SHA-256 is wrong: an error naming the file and both hashes, nothing kept")
    func wrongHash() throws {
        try withFetcher { fetcher in
            let wrong = String(repeating: "ab", count: 32)
            let pin = WheelPin(name: six.name, version: six.version, fileName: six.fileName, sha256: wrong)
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(pin) }
                    == "wheel 'six-1.16.0-py2.py3-none-any.whl' has SHA-256 \(six.sha256), but the lock says "
                    + "\(wrong); nothing was kept")
            #expect(fetcher.downloads == 1)
            let left = try WheelFetcher.fileNames(in: fetcher.cacheDirectory)
            #expect(left.isEmpty)
        }
    }

    @Test("a pinned package that no longer exists")
    func missing() throws {
        try withFetcher { fetcher in
            let pin = WheelPin(
                name: "keel-test-no-such-project-7f3c9a", version: "1.0",
                fileName: "keel_test_no_such_project_7f3c9a-1.0-py3-none-any.whl", sha256: six.sha256)
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(pin) }
                    == "package 'keel-test-no-such-project-7f3c9a' does not exist on the package index pip uses "
                    + "(pip found no release of it)")
            let left = try WheelFetcher.fileNames(in: fetcher.cacheDirectory)
            #expect(left.isEmpty)
        }
    }

    @Test("malformed pins are refused before pip runs")
    func malformed() throws {
        try withFetcher { fetcher in
            let otherName = WheelPin(name: "idna", version: "1.16.0", fileName: six.fileName, sha256: six.sha256)
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(otherName) }
                    == "wheel pin idna==1.16.0 names the file 'six-1.16.0-py2.py3-none-any.whl', which is six==1.16.0")
            let shortHash = WheelPin(name: "six", version: "1.16.0", fileName: six.fileName, sha256: "8abb")
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(shortHash) }
                    == "wheel pin six==1.16.0 has SHA-256 '8abb': 64 lower-case hex digits are expected")
            let source = WheelPin(name: "six", version: "1.16.0", fileName: "six-1.16.0.tar.gz", sha256: six.sha256)
            #expect(
                failure { () throws(RuntimeError) in try fetcher.fetch(source) }.contains("is a source distribution"))
            let path = WheelPin(name: "six", version: "1.16.0", fileName: "../\(six.fileName)", sha256: six.sha256)
            #expect(failure { () throws(RuntimeError) in try fetcher.fetch(path) }.contains("holds a '/'"))
            #expect(fetcher.downloads == 0)
        }
    }
}

/// The SHA-256 of the file at `path` as the host's `sha256sum` computes it.
private func sha256sum(_ path: String) throws -> String {
    let result = try ProcessRunner.run("sha256sum", [path])
    return String(result.output.prefix(64))
}
