import Foundation
import KeelTesting
import Testing

/// A host's configuration directory and a Keel root with its store directory, for the tests of
/// `keel init | eval | lock | switch | rollback | generations | diff` run with the real binary.
///
/// ```
/// TMP/config/keel.toml, keel.lock, package trees
/// TMP/root/                the state root (--root)
/// TMP/store/               the store directory (--store-dir)
/// ```
struct HostFixture {
    /// The temporary directory holding everything.
    let temporary: TemporaryDirectory
    /// The directory keel.toml is in.
    let configDirectory: String
    /// Keel's state root.
    let root: String
    /// The store directory.
    let storeDirectory: String

    /// A fresh fixture; nothing exists but the (empty) configuration directory.
    init(prefix: String = "keel-host") throws {
        temporary = try TemporaryDirectory(prefix: prefix)
        configDirectory = temporary.appending("config")
        root = temporary.appending("root")
        storeDirectory = temporary.appending("store")
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
    }

    /// Removes everything.
    func remove() { temporary.remove() }

    /// keel.toml's path.
    var configFile: String { configDirectory + "/keel.toml" }
    /// keel.lock's path.
    var lockFile: String { configDirectory + "/keel.lock" }
    /// The system profile link.
    var profile: String { root + "/profiles/system" }
    /// `--root ROOT --store-dir STORE`.
    var storeArguments: [String] { ["--root", root, "--store-dir", storeDirectory] }

    // MARK: - Files

    /// Writes `text` to `relative` (under the configuration directory), replacing it, creating
    /// its parent directories.
    func write(_ relative: String, _ text: String, permissions: UInt32 = 0o644) throws {
        try write(relative, bytes: Array(text.utf8), permissions: permissions)
    }

    /// Writes `bytes` to `relative`, replacing it, creating its parent directories.
    func write(_ relative: String, bytes: [UInt8], permissions: UInt32 = 0o644) throws {
        let path = configDirectory + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try TestFiles.write(path, bytes, permissions: permissions)
    }

    /// Writes keel.toml.
    func writeConfig(_ text: String) throws { try write("keel.toml", text) }

    /// keel.lock's text, or nil when there is none.
    func lockText() -> String? { try? String(contentsOfFile: lockFile, encoding: .utf8) }

    /// Puts a copy of the static busybox at `DIRECTORY/bin/busybox` (relative to the
    /// configuration directory), for a `src` package whose busybox builds derivations.
    func addBusybox(in directory: String = "tools") throws {
        try write(
            directory + "/bin/busybox", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: "/bin/busybox"))),
            permissions: 0o755)
    }

    // MARK: - Running keel

    /// Runs keel with exactly `arguments`.
    func keel(_ arguments: [String]) throws -> ProcessResult { try KeelBinary.run(arguments) }

    /// `keel eval -f keel.toml --root --store-dir` plus `extra`.
    func eval(_ extra: [String] = []) throws -> ProcessResult {
        try keel(["eval", "-f", configFile] + storeArguments + extra)
    }

    /// `keel switch -f keel.toml --root --store-dir` plus `extra`.
    func switchSystem(_ extra: [String] = []) throws -> ProcessResult {
        try keel(["switch", "-f", configFile] + storeArguments + extra)
    }

    /// `keel lock -f keel.toml` plus `extra`.
    func lock(_ extra: [String] = []) throws -> ProcessResult { try keel(["lock", "-f", configFile] + extra) }

    /// `keel SUBCOMMAND… --root --store-dir`.
    func keelWithStore(_ arguments: [String]) throws -> ProcessResult { try keel(arguments + storeArguments) }

    /// Runs `keel switch`, expecting success, and returns the system path it printed (--json).
    @discardableResult
    func switchExpectingSuccess(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws
        -> String
    {
        let result = try switchSystem(["--json"] + extra)
        #expect(result.status == 0, "keel switch: \(result.errorOutput)", sourceLocation: sourceLocation)
        let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any]
        return try #require(
            object?["path"] as? String, "keel switch printed \(result.output)", sourceLocation: sourceLocation)
    }

    /// Runs `keel eval`, expecting success, and returns the system path it printed.
    func evalExpectingSuccess(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try eval()
        #expect(result.status == 0, "keel eval: \(result.errorOutput)", sourceLocation: sourceLocation)
        return result.output.trimmingCharacters(in: .newlines)
    }

    // MARK: - Reading the profile and the system

    /// The generation `ROOT/profiles/system` names (`system-N-link`), or nil without one.
    func currentGeneration() -> Int? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: profile) else { return nil }
        return Self.generationNumber(target)
    }

    /// The numbers of every `system-N-link`, ascending.
    func generationNumbers() -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root + "/profiles")) ?? []
        return entries.compactMap(Self.generationNumber).sorted()
    }

    /// The system path generation `number`'s link points at.
    func systemPath(ofGeneration number: Int) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/profiles/system-\(number)-link")
    }

    /// `N` of `system-N-link`.
    static func generationNumber(_ entry: String) -> Int? {
        guard entry.hasPrefix("system-"), entry.hasSuffix("-link") else { return nil }
        return Int(entry.dropFirst("system-".count).dropLast("-link".count))
    }

    /// The manifest.json of the system path `system`, parsed.
    static func manifest(of system: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: system + "/manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The store path of package `name` in the system `system` (from its manifest).
    static func packagePath(_ name: String, in system: String) throws -> String {
        let packages = try #require(try manifest(of: system)["packages"] as? [String: Any])
        let package = try #require(packages[name] as? [String: Any], "no package '\(name)' in \(system)")
        return try #require(package["path"] as? String)
    }

    /// stdout parsed as a JSON object.
    static func object(_ result: ProcessResult) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any],
            "not a JSON object: \(result.output)")
    }

    /// stdout parsed as a JSON array of objects.
    static func objects(_ result: ProcessResult) throws -> [[String: Any]] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [[String: Any]],
            "not a JSON array of objects: \(result.output)")
    }

    /// Whether `path` is a valid path in the fixture's store (`keel store info`).
    func isValid(_ path: String) throws -> Bool { try keelWithStore(["store", "info", path]).status == 0 }

    // MARK: - Oracles

    /// The real nix with this fixture's store directory, for commands that write nothing there.
    func nix() throws -> NixOracle {
        let directory = temporary.appending("nix-oracle")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try NixOracle(root: directory, storeDirectory: storeDirectory)
    }

    /// The SHA-256 (SRI) of a file, by nix.
    func nixFileHash(_ path: String) throws -> String { try nix().output("nix", ["hash", "file", path]) }

    /// The NAR SHA-256 (SRI) of a tree, by nix.
    func nixTreeHash(_ path: String) throws -> String { try nix().output("nix", ["hash", "path", path]) }
}

extension ProcessResult {
    /// stdout and stderr, for a failed expectation's message.
    var transcript: String { "status \(status)\nstdout: \(output)\nstderr: \(errorOutput)" }
}
