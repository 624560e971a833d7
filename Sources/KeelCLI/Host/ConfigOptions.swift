import ArgumentParser
import Foundation
import KeelConfig
import KeelLinux

/// `-f keel.toml`, shared by the commands that read a host's configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: "The host's configuration file.")
    var file: String = "keel.toml"

    /// keel.lock, beside the configuration file.
    var lockPath: String {
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? "keel.lock" : directory + "/keel.lock"
    }

    /// The validated configuration; every problem is printed on stderr as FILE:LINE:COL and the
    /// command exits 1.
    func configuration() throws -> HostConfiguration {
        let bytes = try Self.read(file)
        let directory = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        do { return try ConfigLoader.parse(bytes, file: file, directory: directory) } catch {
            throw reported(error)
        }
    }

    /// keel.lock as it is (empty when there is none); its problems are reported like the
    /// configuration's.
    func lock() throws -> LockFile {
        guard FileManager.default.fileExists(atPath: lockPath) else { return LockFile() }
        do { return try LockFile.parse(try Self.read(lockPath), file: lockPath) } catch let error as ConfigErrors {
            throw reported(error)
        }
    }

    /// The bytes of keel.toml or keel.lock, reading no further than `ConfigLoader.maximumSize`
    /// (a larger file, or one that never ends, is refused there as the loader refuses it).
    private static func read(_ path: String) throws -> [UInt8] {
        do { return try FileSystem.readWholeFile(path, limit: ConfigLoader.maximumSize) } catch {
            if error.errno == EFBIG { throw reported(ConfigLoader.oversized(file: path)) }
            throw CLIError(UserFile.message(path, error))
        }
    }
}

/// Prints every problem of `errors` on stderr and returns the exit to throw.
func reported(_ errors: ConfigErrors) -> SilentExit {
    StandardErrorLine.write(errors.description)
    return SilentExit(.failure)
}
