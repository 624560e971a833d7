import Foundation

/// Where Keel keeps what the host's tools downloaded for runtimes — the wheels pip fetched for
/// `keel lock`, the .debs apt-get fetched for a build — so a later lock or build, under any
/// root, downloads nothing again: `$KEEL_CACHE_DIR` when set, else `/var/cache/keel` for root,
/// else `$XDG_CACHE_HOME/keel` (default `~/.cache/keel`). A cached file is checked against its
/// pinned SHA-256 each time it is used.
public enum RuntimeCache {
    /// The cache's base directory for this process.
    public static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["KEEL_CACHE_DIR"], explicit.hasPrefix("/") { return explicit }
        if geteuid() == 0 { return "/var/cache/keel" }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/keel" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/keel"
    }

    /// The wheel cache.
    public static var wheels: String { directory + "/wheels" }

    /// The .deb cache.
    public static var debs: String { directory + "/debs" }
}
