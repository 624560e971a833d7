import Foundation
import KeelConfig
import KeelFormats
import KeelLinux
import KeelSystem

/// The steps every host command starts with: read keel.toml and keel.lock (refreshing the lock
/// when asked), check the lock against the inputs, and evaluate the system.
struct HostEvaluation {
    /// The validated configuration.
    let configuration: HostConfiguration
    /// The locked inputs.
    let inputs: LockedInputs

    /// Reads and checks everything; with `updateLock`, keel.lock is rewritten first (downloading
    /// what it needs) when it is out of date.
    init(_ options: ConfigOptions, updateLock: Bool) throws {
        configuration = try options.configuration()
        var lock = try options.lock()
        if updateLock { lock = try Self.refresh(lock, of: configuration, at: options.lockPath) }
        do { inputs = try LockVerifier(configuration: configuration, lock: lock).verify() } catch {
            throw reported(error)
        }
    }

    /// The system plan for `storeDirectory`.
    func plan(for storeDirectory: StoreDirectory) throws -> SystemPlan {
        do {
            return try SystemEvaluator(configuration: configuration, inputs: inputs, storeDirectory: storeDirectory)
                .evaluate()
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Writes the lock `configuration` needs to `path` when it differs from `lock`; returns it.
    static func refresh(_ lock: LockFile, of configuration: HostConfiguration, at path: String) throws -> LockFile {
        let fresh: LockFile
        do {
            fresh = try Locker(configuration: configuration) { StandardErrorLine.write("keel: " + $0) }.lock(from: lock)
        } catch {
            throw CLIError(error.description)
        }
        guard fresh != lock || !FileManager.default.fileExists(atPath: path) else { return fresh }
        do { try FileSystem.replaceFile(atPath: path, with: Array(fresh.rendered().utf8)) } catch {
            throw CLIError("cannot write '\(path)': \(error.reason)")
        }
        return fresh
    }
}
