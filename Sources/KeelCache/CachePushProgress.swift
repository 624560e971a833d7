/// How far a push has got, reported after each path: paths done (written or already in the
/// cache) of the total, and NAR bytes done of the total.
public struct CachePushProgress: Sendable, Equatable {
    /// Paths written or found in the cache so far.
    public let pathsDone: Int
    /// Paths in the closure.
    public let pathsTotal: Int
    /// NAR bytes of the paths done (uncompressed).
    public let bytesDone: UInt64
    /// NAR bytes of the whole closure (uncompressed).
    public let bytesTotal: UInt64

    /// A progress report.
    public init(pathsDone: Int, pathsTotal: Int, bytesDone: UInt64, bytesTotal: UInt64) {
        self.pathsDone = pathsDone
        self.pathsTotal = pathsTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}
