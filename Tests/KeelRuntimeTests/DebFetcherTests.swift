import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// `DebFetcher.fetchAll` with a stand-in for apt-get that writes `NAME_VERSION_amd64.deb`
/// holding "NAME VERSION" for each target, logs each run's arguments, and fails a run that asks
/// for a package named `gone` (as apt-get fails a whole run for one unknown version).
@Suite("Deb fetcher", .ownThreads)
struct DebFetcherTests {
    private static let standIn = """
        #!/bin/sh
        echo "$*" >> "$(dirname "$0")/runs"
        while [ $# -gt 0 ]; do
          case "$1" in
            -o) shift 2 ;;
            download|-q) shift ;;
            *)
              name="${1%%=*}"; name="${name%%:*}"; version="${1#*=}"
              if [ "$name" = gone ]; then echo "E: Can't find a source to download version '$version' of '$name'" >&2; exit 100; fi
              printf '%s' "$name $version" > "${name}_${version}_amd64.deb"
              shift ;;
          esac
        done
        """

    /// A temporary directory with the stand-in, a cache and room for fetches.
    private struct Fixture {
        let directory: TemporaryDirectory
        let fetcher: DebFetcher

        init() throws {
            directory = try TemporaryDirectory(prefix: "keel-deb-fetcher")
            let program = directory.appending("apt-get")
            try DebFetcherTests.standIn.write(toFile: program, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
            fetcher = DebFetcher(aptGet: program, cacheDirectory: directory.appending("cache"))
        }

        /// The arguments of each apt-get run so far, one line per run.
        var runs: [String] {
            let text = (try? String(contentsOfFile: directory.appending("runs"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }

        /// A pin of `name` `version` whose hash is that of the stand-in's file (or `sha256`).
        func pin(_ name: String, _ version: String, sha256: String? = nil) throws -> DebFetcher.Pin {
            let sample = directory.appending("sample-\(name)")
            try "\(name) \(version)".write(toFile: sample, atomically: true, encoding: .utf8)
            let actual = try FileDigest.sha256(ofFileAt: sample)
            return DebFetcher.Pin(name: name, version: version, architecture: "amd64", sha256: sha256 ?? actual)
        }

        /// A fresh, empty directory to fetch into.
        func target(_ name: String) -> String { directory.appending(name) }
    }

    private func contents(_ path: String?) -> String? {
        path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    }

    @Test("packages missing from the cache come in one apt-get run; the next fetch runs none")
    func oneRunForAll() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let pins = try [fixture.pin("libc6", "2.36-9"), fixture.pin("zlib1g", "1:1.2.13"), fixture.pin("tar", "1.34")]
        let fetched = try fixture.fetcher.fetchAll(pins, into: fixture.target("first"))
        #expect(fixture.runs.count == 1)
        #expect(
            fixture.runs.first?.hasSuffix("download -q libc6:amd64=2.36-9 zlib1g:amd64=1:1.2.13 tar:amd64=1.34") == true
        )
        for pin in pins { #expect(contents(fetched[pin.sha256]) == "\(pin.name) \(pin.version)") }
        let again = try fixture.fetcher.fetchAll(pins, into: fixture.target("second"))
        #expect(fixture.runs.count == 1, "all three come from the cache")
        for pin in pins {
            #expect(contents(again[pin.sha256]) == "\(pin.name) \(pin.version)")
            #expect(again[pin.sha256]?.hasPrefix(fixture.target("second") + "/") == true)
        }
        #expect(fixture.fetcher.downloads == 1)
    }

    @Test("a file that is not as pinned is fetched again alone, and the error names it and both hashes")
    func wrongHash() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let good = try fixture.pin("libc6", "2.36-9")
        let bad = try fixture.pin("tar", "1.34", sha256: String(repeating: "ab", count: 32))
        let actual = try fixture.pin("tar", "1.34").sha256
        var message = ""
        do { _ = try fixture.fetcher.fetchAll([good, bad], into: fixture.target("fetch")) } catch {
            message = error.message
        }
        #expect(message.contains("tar_1.34_amd64.deb from apt-get download tar:amd64=1.34 has SHA-256 \(actual)"))
        #expect(message.contains("keel.lock pins \(bad.sha256)"))
        #expect(fixture.runs.count == 2, "the run for both, then tar alone: \(fixture.runs)")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.appending("cache/sha256-\(bad.sha256)")))
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.appending("cache/sha256-\(actual)")))
        #expect(
            contents(try fixture.fetcher.fetchAll([good], into: fixture.target("again")).values.first) == "libc6 2.36-9"
        )
        #expect(fixture.runs.count == 2, "the good one was cached by the run for both")
    }

    @Test("when the run for all fails, each is fetched alone: the error names the package apt-get cannot find")
    func failedRun() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let pins = try [fixture.pin("libc6", "2.36-9"), fixture.pin("gone", "1.0")]
        var message = ""
        do { _ = try fixture.fetcher.fetchAll(pins, into: fixture.target("fetch")) } catch { message = error.message }
        #expect(message.contains("apt-get download gone:amd64=1.0 failed"), "\(message)")
        #expect(message.contains("Can't find a source to download version '1.0' of 'gone'"), "\(message)")
        #expect(fixture.runs.count == 3, "both, then each alone: \(fixture.runs)")
        #expect(FileManager.default.fileExists(atPath: fixture.directory.appending("cache/sha256-\(pins[0].sha256)")))
    }
}
