/// Turns a substituter URL into the source that reads it: `file://DIR` (or a plain absolute
/// directory) and `http(s)://…`.
public enum CacheURL {
    /// The source for `url`; HTTP caches use at most `connections` connections and give up on a
    /// request that gets no byte for `timeout`.
    ///
    /// - Throws: `CacheError.Code.badInput` for any other kind of URL.
    public static func source(_ url: String, connections: Int, timeout: Duration) throws(CacheError)
        -> any BinaryCacheSource
    {
        if url.hasPrefix("http://") || url.hasPrefix("https://") {
            guard url.split(separator: "/", omittingEmptySubsequences: false).count >= 3,
                !url.split(separator: "/", omittingEmptySubsequences: false)[2].isEmpty
            else { throw CacheError(.badInput, "cache URL '\(url)' names no host") }
            return HTTPCacheSource(url: url, connections: connections, timeout: timeout)
        }
        var directory: Substring
        if url.hasPrefix("file://") {
            directory = url.dropFirst("file://".count)
        } else if url.hasPrefix("/") {
            directory = Substring(url)
        } else {
            throw CacheError(.badInput, "unsupported cache URL '\(url)': Keel reads file://DIR, http:// and https://")
        }
        if let query = directory.firstIndex(of: "?") { directory = directory[..<query] }
        while directory.count > 1 && directory.hasSuffix("/") { directory = directory.dropLast() }
        guard directory.hasPrefix("/") else {
            throw CacheError(.badInput, "cache URL '\(url)' does not name an absolute directory")
        }
        return FileCacheSource(directory: String(directory), url: url)
    }
}
