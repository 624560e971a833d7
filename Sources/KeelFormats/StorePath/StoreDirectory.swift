/// A store directory, such as `/nix/store`: the prefix of every full store path, and part of
/// every store path's hash.
public struct StoreDirectory: Hashable, Sendable, CustomStringConvertible {
    /// Nix's default, `/nix/store`.
    public static let nix = try! StoreDirectory("/nix/store")

    /// The absolute directory, without a trailing slash.
    public let path: String

    /// Validates and wraps a directory: absolute, no trailing slash, no empty, `.` or `..` parts.
    public init(_ path: String) throws(StorePathError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), path.count > 1, !path.hasSuffix("/"),
            parts.dropFirst().allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { throw .invalidStoreDirectory(path) }
        self.path = path
    }

    /// The directory.
    public var description: String { path }

    /// The full path of a store path in this directory.
    public func fullPath(_ storePath: StorePath) -> String { "\(path)/\(storePath.baseName)" }

    /// Parses a full path that names a store path directly in this directory.
    ///
    /// - Throws: `StorePathError.notInStore` for a path elsewhere (or inside a store path), or the
    ///   base name's own error.
    public func parse(_ fullPath: some StringProtocol) throws(StorePathError) -> StorePath {
        let prefix = path + "/"
        guard fullPath.hasPrefix(prefix) else { throw .notInStore(String(fullPath), storeDirectory: path) }
        let base = fullPath.dropFirst(prefix.count)
        // A byte search: `contains("/")` on a substring goes through Foundation's string search,
        // which was a twentieth of reading a closure's rows.
        guard !base.utf8.contains(UInt8(ascii: "/")) else {
            throw .notInStore(String(fullPath), storeDirectory: path)
        }
        return try StorePath(baseName: base)
    }

    /// Parses a path inside this store directory, possibly below a store path
    /// (`/nix/store/<hash>-x/bin/y`), and returns the store path plus the rest.
    public func parseWithin(_ fullPath: some StringProtocol) throws(StorePathError) -> (StorePath, String) {
        let prefix = path + "/"
        guard fullPath.hasPrefix(prefix) else { throw .notInStore(String(fullPath), storeDirectory: path) }
        let rest = fullPath.dropFirst(prefix.count)
        if let slash = rest.firstIndex(of: "/") {
            return (try StorePath(baseName: rest[..<slash]), String(rest[slash...]))
        }
        return (try StorePath(baseName: rest), "")
    }
}
