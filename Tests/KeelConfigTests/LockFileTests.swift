import KeelConfig
import KeelTesting
import TOMLKit
import Testing

/// keel.lock: rendered sorted and byte-stable, read back equal, and its problems positioned like
/// keel.toml's.
@Suite("keel.lock", .ownThreads)
struct LockFileTests {
    static let hashA = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    static let hashB = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="

    /// A lock with every kind of entry, names that need quoting among them.
    static func sampleLock() -> LockFile {
        var lock = LockFile()
        lock.fetches["zlib"] = .init(url: "https://example.com/zlib.tar.gz", hash: hashA, narHash: hashB)
        lock.fetches["busybox"] = .init(url: "https://example.com/busybox?x=\"1\"&y=\\2", hash: hashB, narHash: nil)
        lock.fetches["a.b+c"] = .init(url: "file:///srv/ünïcödé file", hash: hashA, narHash: nil)
        lock.derivations["legacy"] = .init(path: "./legacy.drv", hash: hashA)
        lock.derivations["Über"] = .init(path: "./drv/\"quoted\".drv", hash: hashB)
        lock.hostPaths["/etc/ssl/certs"] = hashA
        lock.hostPaths["/srv/\"quoted\" dir/ünï\tcode\u{7F}"] = hashB
        lock.hostPaths["/srv/עברית/\u{202E}rtl"] = hashA
        let hex = String(repeating: "ab", count: 32)
        lock.runtimes["py"] = RuntimeLock(
            debian: ["python3.11-minimal", "libssl3=3.0.*"],
            debs: [
                .init(name: "libc6", version: "2.36-9+deb12u10", architecture: "amd64", sha256: hex),
                .init(name: "libcrypt1", version: "1:4.4.33-2", architecture: "amd64", sha256: hex),
                .init(name: "tzdata", version: "2025b-0+deb12u1~rc1", architecture: "all", sha256: hex),
            ])
        lock.runtimes["ml.v2"] = RuntimeLock(
            python: "py", requirements: ["numpy==2.1.3", "requests>=2; python_version >= \"3.8\""],
            wheels: [
                .init(
                    name: "numpy", version: "2.1.3",
                    file: "numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", sha256: hex)
            ])
        return lock
    }

    @Test("render → parse gives the same lock, and rendering it again the same bytes")
    func roundTrip() throws {
        let lock = Self.sampleLock()
        let text = lock.rendered()
        let parsed = try LockFile.parse(Array(text.utf8), file: "keel.lock")
        #expect(parsed == lock)
        #expect(parsed.rendered() == text)
        #expect(try LockFile.parse(Array(LockFile().rendered().utf8), file: "keel.lock") == LockFile())
        // TOMLKit reads the rendered text as TOML with the same keys (quoting and escapes are right).
        let table = try TOMLTable(string: text)
        #expect(table["host_path"]?.table?.keys.sorted() == lock.hostPaths.keys.sorted())
        #expect(table["fetch"]?.table?["busybox"]?.table?["url"]?.string == lock.fetches["busybox"]?.url)
    }

    @Test("the text is sorted by name and does not depend on the order entries were added")
    func sortedAndStable() throws {
        let sample = Self.sampleLock()
        var reversed = LockFile()
        for (name, fetch) in sample.fetches.sorted(by: { $0.key > $1.key }) { reversed.fetches[name] = fetch }
        for (name, file) in sample.derivations.sorted(by: { $0.key > $1.key }) { reversed.derivations[name] = file }
        for (path, hash) in sample.hostPaths.sorted(by: { $0.key > $1.key }) { reversed.hostPaths[path] = hash }
        for (name, runtime) in sample.runtimes.sorted(by: { $0.key > $1.key }) {
            var shuffled = runtime
            shuffled.debs.reverse()
            shuffled.wheels.reverse()
            reversed.runtimes[name] = shuffled
        }
        #expect(reversed.rendered() == sample.rendered())

        var small = LockFile()
        small.fetches["b"] = .init(url: "https://x/b", hash: Self.hashA, narHash: Self.hashB)
        small.fetches["a"] = .init(url: "https://x/a", hash: Self.hashB, narHash: nil)
        small.derivations["d"] = .init(path: "./d.drv", hash: Self.hashA)
        small.hostPaths["/z"] = Self.hashB
        small.hostPaths["/a b"] = Self.hashA
        #expect(
            small.rendered() == """
                # keel.lock: written by `keel lock` and `keel switch --update-lock`. Commit it with keel.toml.
                version = 1

                [fetch.a]
                url = "https://x/a"
                hash = "\(Self.hashB)"

                [fetch.b]
                url = "https://x/b"
                hash = "\(Self.hashA)"
                nar_hash = "\(Self.hashB)"

                [drv.d]
                path = "./d.drv"
                hash = "\(Self.hashA)"

                [host_path."/a b"]
                nar_hash = "\(Self.hashA)"

                [host_path."/z"]
                nar_hash = "\(Self.hashB)"

                """)
    }

    @Test("keys and strings with quotes, backslashes, controls and unicode are escaped, not mangled")
    func escaping() throws {
        var lock = LockFile()
        lock.hostPaths["/a\"b\\c\n\u{1}é"] = Self.hashA
        let text = lock.rendered()
        #expect(text.contains("[host_path.\"/a\\\"b\\\\c\\n\\u0001é\"]"))
        #expect(try LockFile.parse(Array(text.utf8), file: "keel.lock") == lock)
    }

    @Test("hashes in other spellings are read as SRI")
    func hashSpellings() throws {
        let text = """
            version = 1
            [fetch.x]
            url = "https://x"
            hash = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            """
        let lock = try LockFile.parse(Array(text.utf8), file: "keel.lock")
        #expect(lock.fetches["x"]?.hash == Self.hashA)
    }

    @Test("problems are reported as keel.lock:LINE:COL, all at once")
    func problems() {
        let text = """
            version = 2
            colour = "blue"

            [fetch.x]
            url = 5
            hash = "sha256-short"
            nar_hsh = "x"

            [drv.y]
            hash = "md5:abc"

            [host_path."/etc"]
            nar_hash = 1

            [host_path."/srv"]
            """
        #expect(
            lockProblems(text, file: "conf/keel.lock") == [
                "conf/keel.lock:1:11: keel.lock version 2 is not one this keel reads (1); upgrade keel or run keel lock",
                "conf/keel.lock:2:1: unknown key 'colour' in keel.lock",
                "conf/keel.lock:5:7: 'fetch.x.url' must be a string, not an integer",
                "conf/keel.lock:6:8: invalid hash \"sha256-short\": invalid sha256 hash 'sha256-short'; "
                    + "write \"sha256-<base64>\" or \"sha256:<hex>\"",
                "conf/keel.lock:7:1: unknown key 'nar_hsh' in fetch 'x' (did you mean 'nar_hash'?)",
                "conf/keel.lock:9:1: 'drv.y' has no 'path'",
                "conf/keel.lock:10:8: invalid hash \"md5:abc\": invalid md5 hash 'md5:abc'; "
                    + "write \"sha256-<base64>\" or \"sha256:<hex>\"",
                "conf/keel.lock:13:12: 'host_path.\"/etc\".nar_hash' must be a string, not an integer",
                "conf/keel.lock:15:1: 'host_path.\"/srv\"' has no 'nar_hash'",
            ])
        #expect(
            lockProblems("version = 1\n[fetch.x\n", file: "keel.lock") == [
                "keel.lock:2:9: Error while parsing table header: expected ']', saw '\\n'"
            ])
        #expect(
            lockProblems("fetch = 1\n", file: "keel.lock") == ["keel.lock:1:9: 'fetch' must be a table, not an integer"]
        )
    }

    /// The problems of `text` as keel.lock, one line each; empty when it is valid.
    private func lockProblems(_ text: String, file: String) -> [String] {
        do {
            _ = try LockFile.parse(Array(text.utf8), file: file)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }
}
