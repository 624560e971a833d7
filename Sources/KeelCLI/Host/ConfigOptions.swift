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
        let bytes = try UserFile.read(file)
        let directory = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        do { return try ConfigLoader.parse(bytes, file: file, directory: directory) } catch {
            throw reported(error)
        }
    }

    /// keel.lock as it is (empty when there is none); its problems are reported like the
    /// configuration's.
    func lock() throws -> LockFile {
        guard FileManager.default.fileExists(atPath: lockPath) else { return LockFile() }
        do { return try LockFile.parse(try UserFile.read(lockPath), file: lockPath) } catch let error as ConfigErrors {
            throw reported(error)
        }
    }
}

/// Prints every problem of `errors` on stderr and returns the exit to throw.
func reported(_ errors: ConfigErrors) -> SilentExit {
    StandardErrorLine.write(errors.description)
    return SilentExit(.failure)
}
