import Foundation
import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianPackageIndex loads apt lists", .ownThreads)
struct DebianPackageIndexTests {
    static func paragraph(_ name: String, _ version: String, architecture: String = "amd64", extra: String = "")
        -> String
    {
        """
        Package: \(name)
        Version: \(version)
        Architecture: \(architecture)
        \(extra)Filename: pool/main/\(name)_\(version)_\(architecture).deb
        Size: 1234
        SHA256: \(String(repeating: "ab", count: 32))


        """
    }

    /// Writes `text` to `directory/name`, compressed by `tool` (gzip, xz, lz4) when given.
    static func write(_ text: String, to name: String, in directory: TemporaryDirectory, tool: String? = nil) throws {
        var bytes = Array(text.utf8)
        if let tool {
            let result = try ProcessRunner.run(tool, ["-c"], input: bytes)
            try #require(result.status == 0, "\(tool): \(result.errorOutput)")
            bytes = result.standardOutput
        }
        try Data(bytes).write(to: URL(fileURLWithPath: directory.appending(name)))
    }

    @Test("reads plain, gzip, xz and lz4 lists; keeps amd64 and all; one entry per version")
    func lists() throws {
        let directory = try TemporaryDirectory(prefix: "keel-apt-lists")
        defer { directory.remove() }
        try Self.write(
            Self.paragraph("alpha", "1.0") + Self.paragraph("alpha", "1.0", architecture: "i386")
                + Self.paragraph("beta", "2.0", architecture: "all", extra: "Provides: virt (= 2.0), other\n"),
            to: "a_dists_x_main_binary-amd64_Packages", in: directory)
        try Self.write(
            Self.paragraph("alpha", "1.2"), to: "b_main_binary-amd64_Packages.gz", in: directory, tool: "gzip")
        try Self.write(Self.paragraph("alpha", "1.1"), to: "c_main_binary-amd64_Packages.xz", in: directory, tool: "xz")
        // lz4 as apt keeps its lists, when the lz4 tool is there to make one (the host's lists
        // test reads apt's real ones); plain otherwise.
        let lz4Installed = FileManager.default.isExecutableFile(atPath: "/usr/bin/lz4")
        try Self.write(
            Self.paragraph("alpha", "1.0", extra: "Depends: duplicate\n") + Self.paragraph("gamma", "1:0.5"),
            to: lz4Installed ? "d_main_binary-amd64_Packages.lz4" : "d_main_binary-amd64_Packages", in: directory,
            tool: lz4Installed ? "lz4" : nil)
        try Self.write("not a list", to: "a_dists_x_InRelease", in: directory)
        try Self.write(Self.paragraph("sourceonly", "1"), to: "a_main_source_Sources", in: directory)
        try FileManager.default.createDirectory(
            atPath: directory.appending("partial"), withIntermediateDirectories: false)

        let index = try DebianPackageIndex.load(listsDirectory: directory.path)
        #expect(index.versions(of: "alpha").map(\.version.description) == ["1.2", "1.1", "1.0"])
        #expect(index.versions(of: "alpha").last?.depends == "", "the first list by name wins a duplicate")
        #expect(index.versions(of: "alpha").last?.list == directory.appending("a_dists_x_main_binary-amd64_Packages"))
        #expect(index.versions(of: "gamma").first?.version.epoch == 1)
        #expect(index.versions(of: "sourceonly").isEmpty)
        #expect(index.versionCount == 5)
        #expect(Set(index.packageNames) == ["alpha", "beta", "gamma"])
        let beta = try #require(index.versions(of: "beta").first)
        #expect(beta.architecture == "all")
        #expect(beta.filename == "pool/main/beta_2.0_all.deb")
        #expect(beta.size == 1234)
        #expect(beta.sha256 == String(repeating: "ab", count: 32))
        #expect(index.providers(of: "virt").map(\.package.name) == ["beta"])
        #expect(index.providers(of: "virt").first?.providedVersion == (try DebianVersion("2.0")))
        #expect(index.providers(of: "other").first?.providedVersion == nil)
        #expect(index.providers(of: "alpha").isEmpty)
    }

    @Test("a directory without Packages lists says to run apt-get update")
    func empty() throws {
        let directory = try TemporaryDirectory(prefix: "keel-apt-lists")
        defer { directory.remove() }
        try Self.write("x", to: "lock", in: directory)
        #expect(
            throws: RuntimeError(
                "no package lists in \(directory.path) (no *_Packages file): run `apt-get update` first")
        ) { try DebianPackageIndex.load(listsDirectory: directory.path) }
        #expect(throws: RuntimeError.self) { try DebianPackageIndex.load(listsDirectory: directory.appending("none")) }
    }

    @Test("a malformed list is an error naming it")
    func malformed() throws {
        let directory = try TemporaryDirectory(prefix: "keel-apt-lists")
        defer { directory.remove() }
        try Self.write(
            "Package: a\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nArchitecture: all\n", to: "x_Packages",
            in: directory)
        #expect(
            throws: RuntimeError("\(directory.appending("x_Packages")) line 5: the paragraph has no Version field")
        ) { try DebianPackageIndex.load(listsDirectory: directory.path) }
        try Self.write("broken lz4", to: "x_Packages.lz4", in: directory)
        try Self.write("Package: a\nVersion: 1\nArchitecture: amd64\n", to: "x_Packages", in: directory)
        do {
            _ = try DebianPackageIndex.load(listsDirectory: directory.path)
            Issue.record("a corrupt lz4 list was accepted")
        } catch {
            #expect(
                error.message.hasPrefix("cannot read the package list \(directory.appending("x_Packages.lz4")): lz4: "))
        }
    }

    @Test(
        "loads the host's lists (/var/lib/apt/lists by default): every package apt knows, the highest version its candidate"
    )
    func hostLists() throws {
        _ = try DebianTestLists.all()
        let index = try DebianTestLists.hostIndex.get()
        // apt-cache dumpavail prints each package's candidate version (the highest, as no list
        // of this host has a pin priority of its own); without the dpkg status, so that versions
        // installed from elsewhere do not count.
        let result = try ProcessRunner.run("/usr/bin/apt-cache", ["-o", "Dir::State::status=/dev/null", "dumpavail"])
        try #require(result.status == 0, "apt-cache dumpavail: \(result.errorOutput)")
        let control = try DebianControl(parsing: result.standardOutput, source: "apt-cache dumpavail")
        var candidates: [String: String] = [:]
        for paragraph in control {
            guard let name = paragraph["Package"], let version = paragraph["Version"] else { continue }
            candidates[name] = version
        }
        #expect(Set(index.packageNames) == Set(candidates.keys))
        var mismatches: [String] = []
        for (name, version) in candidates where index.versions(of: name).first?.version.description != version {
            mismatches.append(name)
        }
        #expect(mismatches.isEmpty, "the highest version differs from apt's candidate for \(mismatches.prefix(10))")
        #expect(index.versionCount >= candidates.count)
        let python = try #require(index.versions(of: "python3.11-minimal").first)
        #expect(
            python.filename.hasPrefix("pool/")
                && python.filename.hasSuffix("/python3.11-minimal_\(python.version)_amd64.deb"))
        #expect(python.sha256.count == 64 && python.size > 0)
        #expect(!index.providers(of: "debconf-2.0").isEmpty)
    }
}
