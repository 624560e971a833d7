import Foundation
import KeelLinux

/// The demo's temporary directory: `DIR/root` (the Keel root) and `DIR/config` (keel.toml,
/// broken.toml and bin/keel, a copy of the running binary).
struct DemoWorkspace: Sendable {
    /// The directory the demo created (`$TMPDIR/keel-demo-XXXXXX`); removing it removes everything.
    let directory: String

    /// The Keel root.
    var root: String { directory + "/root" }
    /// The directory of the demo's configuration files.
    var configDirectory: String { directory + "/config" }
    /// The good generation's keel.toml.
    var goodConfig: String { configDirectory + "/keel.toml" }
    /// The broken generation's keel.toml.
    var brokenConfig: String { configDirectory + "/broken.toml" }
    /// The copy of the keel binary the agents run.
    var binaryCopy: String { configDirectory + "/bin/keel" }

    /// Creates a fresh directory under `$TMPDIR` (or /tmp).
    static func create() throws -> DemoWorkspace {
        let parent = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        do throws(SystemError) {
            return DemoWorkspace(directory: try FileSystem.makeTemporaryDirectory(in: parent, prefix: "keel-demo"))
        } catch {
            throw CLIError("cannot create the demo's directory in \(parent): \(error)")
        }
    }

    /// Makes the config directory and copies `binary` (the running keel) into its bin/.
    func prepare(binary: String) throws {
        do throws(SystemError) {
            try FileSystem.makeDirectories(configDirectory + "/bin")
        } catch {
            throw CLIError("cannot create \(configDirectory)/bin: \(error)")
        }
        do { try FileManager.default.copyItem(atPath: binary, toPath: binaryCopy) } catch {
            throw CLIError("cannot copy \(binary) to \(binaryCopy): \(error.localizedDescription)")
        }
    }

    /// Writes both generations' keel.toml files for an HTTP agent on `port` played by `web`
    /// (and web's server.py).
    func writeConfigs(port: Int, web: DemoConfiguration.Web) throws {
        do throws(SystemError) {
            try FileSystem.makeDirectories(configDirectory + "/web")
            try FileSystem.replaceFile(
                atPath: configDirectory + "/web/server.py", with: Array(DemoConfiguration.server.utf8))
        } catch {
            throw CLIError("cannot write \(configDirectory)/web/server.py: \(error)")
        }
        for (path, text) in [
            (goodConfig, DemoConfiguration.good(port: port, web: web)),
            (brokenConfig, DemoConfiguration.broken(port: port, web: web)),
        ] {
            do throws(SystemError) { try FileSystem.replaceFile(atPath: path, with: Array(text.utf8)) } catch {
                throw CLIError("cannot write \(path): \(error)")
            }
        }
    }

    /// Removes the directory and everything in it (read-only store paths included).
    func remove() throws {
        do throws(SystemError) { try FileSystem.removeTree(Array(directory.utf8)) } catch {
            throw CLIError("cannot remove \(directory): \(error)")
        }
    }

    /// The path of the running executable (`/proc/self/exe`'s target).
    static func runningBinary() throws -> String {
        let target: [UInt8]
        do throws(SystemError) { target = try FileSystem.readLink(Array("/proc/self/exe".utf8)) } catch {
            throw CLIError("cannot find the running keel binary: \(error)")
        }
        let path = String(decoding: target, as: UTF8.self)
        guard !path.hasSuffix(" (deleted)") else {
            throw CLIError("the running keel binary was replaced or removed (\(path)); run the demo again")
        }
        return path
    }
}
