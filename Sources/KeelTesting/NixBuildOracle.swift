import Foundation

/// The real `nix` with its sandbox on, building into a chroot store whose logical store
/// directory is `storeDirectory` (Keel's, so both compute the same paths) and whose files live
/// under `ROOT/chroot/nix/store` (so nix and Keel never share a directory). `/bin/sh` in the
/// sandbox is the static busybox, as Keel's tests expose it.
public struct NixBuildOracle: Sendable {
    /// The private root.
    public let root: String
    /// The logical store directory.
    public let storeDirectory: String
    /// Where nix keeps the store's files.
    public var physicalStoreDirectory: String { root + "/chroot/nix/store" }
    private let environment: [String: String]
    private var store: String { "local?root=\(root)/chroot&store=\(storeDirectory)" }

    /// Prepares a private nix under `root` (which must exist) for store directory `storeDirectory`.
    public init(root: String, storeDirectory: String) throws {
        self.root = root
        self.storeDirectory = storeDirectory
        try FileManager.default.createDirectory(atPath: "\(root)/chroot", withIntermediateDirectories: true)
        var environment = try PrivateNixRoot.prepare(
            root: root,
            settings: [
                "sandbox = true", "sandbox-paths = /bin/sh=/bin/busybox", "build-users-group =", "substituters =",
                "require-sigs = false",
            ])
        environment["TERM"] = "xterm-256color"
        self.environment = environment
    }

    /// Instantiates a Nix expression file; returns the logical .drv paths, one per derivation.
    public func instantiate(_ file: String) throws -> [String] {
        try run("nix-instantiate", ["--store", store, file]).output.split(separator: "\n").map(String.init)
    }

    /// Where nix wrote a logical store path's file.
    public func physicalPath(_ path: String) -> String {
        physicalStoreDirectory + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Builds .drv paths with nix-build; returns the output paths it printed.
    @discardableResult
    public func build(_ derivations: [String], extra: [String] = []) throws -> [String] {
        try run("nix-build", ["--store", store, "--no-out-link"] + extra + derivations).output.split(separator: "\n")
            .map(String.init)
    }

    /// The NAR hash nix registered for a path (`sha256:BASE32`).
    public func narHash(_ path: String) throws -> String {
        try run("nix-store", ["--store", store, "-q", "--hash", path]).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// The references nix registered for a path, sorted.
    public func references(_ path: String) throws -> [String] {
        try run("nix-store", ["--store", store, "-q", "--references", path]).output.split(separator: "\n").map(
            String.init
        )
        .sorted()
    }

    /// The output paths of a .drv, sorted.
    public func outputs(_ derivation: String) throws -> [String] {
        try run("nix-store", ["--store", store, "-q", "--outputs", derivation]).output.split(separator: "\n").map(
            String.init
        ).sorted()
    }

    /// `nix-store --export` of the closures of `paths`.
    public func exportClosure(_ paths: [String]) throws -> [UInt8] {
        let closure = try run("nix-store", ["--store", store, "-qR"] + paths).output.split(separator: "\n").map(
            String.init)
        return try run("nix-store", ["--store", store, "--export"] + closure).standardOutput
    }

    private func run(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        let result = try ProcessRunner.run(program, arguments, environment: environment)
        guard result.status == 0 else {
            throw NixOracleError(command: ([program] + arguments).joined(separator: " "), result: result)
        }
        return result
    }
}
