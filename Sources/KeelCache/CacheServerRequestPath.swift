/// A request's path, checked at the boundary before anything touches the disk or the store: a
/// few components, each made only of the characters of store path names and cache file names
/// (`A-Z a-z 0-9 + - . _ =`), none empty, none starting with a dot (so no `.`, `..` or hidden
/// files), nothing percent-encoded. Everything else is refused as not found.
public struct CacheServerRequestPath: Sendable, Equatable {
    /// The most components a path may have (`nar/<file>`, `log/<drv>`, `realisations/<id>`).
    public static let maximumComponents = 4
    /// The longest a component may be (a store path base name is at most 211 bytes).
    public static let maximumComponentLength = 255

    /// The components, in order.
    public let components: [String]

    /// Checks a request path (`/nar/x.nar.xz`), ignoring one leading slash.
    ///
    /// - Returns: nil when the path is not one a cache serves.
    public init?(_ path: String) {
        var text = Substring(path)
        if text.hasPrefix("/") { text = text.dropFirst() }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...Self.maximumComponents) ~= parts.count, parts.allSatisfy(Self.isAllowed) else { return nil }
        components = parts.map(String.init)
    }

    /// The path relative to the cache root, `/`-separated.
    public var relative: String { components.joined(separator: "/") }

    private static func isAllowed(_ component: Substring) -> Bool {
        guard let first = component.utf8.first, first != UInt8(ascii: "."),
            component.utf8.count <= maximumComponentLength
        else { return false }
        return component.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "="):
                true
            default: false
            }
        }
    }
}
