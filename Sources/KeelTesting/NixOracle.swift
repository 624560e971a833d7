import Foundation

/// The real `nix` (2.8, Debian's `nix-bin`) as a test oracle, run against a private store.
///
/// Every instance has its own root holding the store dir (`ROOT/store`), state, logs, config and
/// cache, so tests never touch `/nix` and can run in parallel. `nix-command` is enabled, the
/// sandbox, substituters and build users are off.
public struct NixOracle: Sendable {
    /// The private root.
    public let root: String
    /// The store directory nix uses (`ROOT/store`).
    public let storeDirectory: String
    /// The environment every nix command runs with.
    public let environment: [String: String]

    /// Whether `nix-store` is on `PATH`; tests require it (CI installs `nix-bin`).
    public static var isInstalled: Bool {
        ProcessRunner.resolve("nix-store").hasPrefix("/")
    }

    /// Prepares a private nix under `root` (which must exist), with store dir `storeDirectory`
    /// (default `ROOT/store`).
    public init(root: String, storeDirectory: String? = nil) throws {
        self.root = root
        self.storeDirectory = storeDirectory ?? "\(root)/store"
        var environment = try PrivateNixRoot.prepare(
            root: root,
            settings: ["sandbox = false", "build-users-group =", "substituters =", "require-sigs = false"])
        environment["NIX_STORE_DIR"] = self.storeDirectory
        self.environment = environment
    }

    /// Runs a nix program (`nix-store`, `nix`, `nix-instantiate`, …) with the private environment.
    ///
    /// - Throws: `NixOracleError` when the program exits non-zero.
    @discardableResult
    public func run(_ program: String, _ arguments: [String], input: [UInt8] = []) throws -> ProcessResult {
        let result = try ProcessRunner.run(program, arguments, environment: environment, input: input)
        guard result.status == 0 else {
            throw NixOracleError(command: ([program] + arguments).joined(separator: " "), result: result)
        }
        return result
    }

    /// Runs a nix program and returns its trimmed stdout.
    public func output(_ program: String, _ arguments: [String], input: [UInt8] = []) throws -> String {
        try run(program, arguments, input: input).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A nix command that failed, with what it printed.
public struct NixOracleError: Error, CustomStringConvertible {
    /// The command line.
    public let command: String
    /// Its result.
    public let result: ProcessResult

    /// The command, its status and its stderr.
    public var description: String {
        "`\(command)` exited \(result.status): \(result.errorOutput)"
    }
}
