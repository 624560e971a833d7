/// The binary cache URLs Keel can substitute from: `file:///DIR`, `http://HOST…` and
/// `https://HOST…`.
public enum SubstituterURL {
    /// Why `url` is not a usable substituter, or nil when it is.
    public static func problem(_ url: String) -> String? {
        if url.hasPrefix("file://") {
            let path = url.dropFirst("file://".count)
            return path.hasPrefix("/") ? nil : "a file:// URL needs an absolute path (file:///DIR)"
        }
        for scheme in ["http://", "https://"] where url.hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if host.isEmpty { return "no host after \(scheme)" }
            if url.contains(where: { $0 == " " || $0.isNewline }) { return "URLs cannot hold spaces" }
            return nil
        }
        return "Keel substitutes from file://, http:// and https:// caches"
    }
}
