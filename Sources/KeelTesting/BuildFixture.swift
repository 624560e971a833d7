import Foundation
import KeelFormats

/// A Keel store and a sandboxed nix sharing one logical store directory (never one directory on
/// disk), nix expressions written to files, and `keel` run against the store.
public struct BuildFixture: Sendable {
    /// The temporary directory holding everything.
    public let temporary: TemporaryDirectory
    /// The logical store directory both tools use (nix keeps its files in its own chroot store).
    public let storeDirectory: String
    /// Keel's state root.
    public let keelRoot: String
    /// The sandboxed nix.
    public let nix: NixBuildOracle

    /// A fresh temporary directory with a private nix and a keel root in it.
    public init() throws {
        temporary = try TemporaryDirectory(prefix: "keel-build")
        storeDirectory = temporary.appending("store")
        keelRoot = temporary.appending("keel")
        try FileManager.default.createDirectory(atPath: temporary.appending("nix"), withIntermediateDirectories: true)
        nix = try NixBuildOracle(root: temporary.appending("nix"), storeDirectory: storeDirectory)
    }

    /// Removes the temporary directory and everything in it.
    public func remove() { temporary.remove() }

    /// Instantiates a Nix expression (a derivation or a list of them); returns the .drv paths.
    public func instantiate(_ expression: String) throws -> [String] {
        let file = temporary.appending("expr-\(UInt64.random(in: 0...UInt64.max)).nix")
        try TestFiles.write(file, Array(expression.utf8))
        return try nix.instantiate(file)
    }

    /// Runs keel with this fixture's root and store directory.
    public func keel(_ arguments: [String]) throws -> ProcessResult {
        try KeelBinary.run(arguments + ["--root", keelRoot, "--store-dir", storeDirectory])
    }

    /// `keel build` of .drv files as nix-instantiate wrote them, with busybox as /bin/sh.
    public func keelBuild(_ derivations: [String], _ extra: [String] = []) throws -> ProcessResult {
        try keel(
            ["build", "--sandbox-paths", "/bin/sh=/bin/busybox"] + extra + derivations.map { nix.physicalPath($0) })
    }

    /// What keel registered for a path, from `keel store info --json`.
    public func info(_ path: String) throws -> [String: Any]? {
        let result = try keel(["store", "info", "--json", path])
        guard result.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any]
    }

    /// Whether keel has `path` registered.
    public func isValid(_ path: String) throws -> Bool { try info(path) != nil }

    /// The entries of keel's build directories (empty when every build cleaned up).
    public func leftoverBuildDirectories() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: keelRoot + "/builds")) ?? [])
    }
}

/// A Nix `derivation` with busybox `/bin/sh` running `script`; `script` may use `${other}`
/// interpolations (which make input derivations) but no double quotes.
public func derivationExpression(
    _ name: String, _ script: String, outputs: [String] = ["out"], extra: String = ""
) -> String {
    let outputList = outputs.map { "\"\($0)\"" }.joined(separator: " ")
    return """
        derivation { name = "\(name)"; system = builtins.currentSystem; builder = "/bin/sh"; \
        outputs = [ \(outputList) ]; args = [ "-c" "\(script)" ]; \(extra) }
        """
}
