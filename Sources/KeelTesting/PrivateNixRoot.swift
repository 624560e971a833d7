import Foundation

/// The private directories and environment a test's `nix` runs with: state, logs, config, home
/// and cache under one root, so nix never touches `/nix` or the user's files.
enum PrivateNixRoot {
    /// Creates the directories under `root` (which must exist), writes `nix.conf` with
    /// `settings`, and returns the environment pointing nix at them.
    static func prepare(root: String, settings: [String]) throws -> [String: String] {
        for directory in ["state", "log", "conf", "home", "cache"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let config = (["experimental-features = nix-command"] + settings).joined(separator: "\n") + "\n"
        try config.write(toFile: "\(root)/conf/nix.conf", atomically: false, encoding: .utf8)
        return [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "NIX_STATE_DIR": "\(root)/state", "NIX_LOG_DIR": "\(root)/log", "NIX_CONF_DIR": "\(root)/conf",
            "HOME": "\(root)/home", "XDG_CACHE_HOME": "\(root)/cache", "NIX_REMOTE": "",
        ]
    }
}
