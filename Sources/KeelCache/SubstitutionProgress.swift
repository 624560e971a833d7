/// How far a substitution has got, as `Substituter.substitute` reports it while it downloads.
public struct SubstitutionProgress: Sendable {
    /// Paths whose NAR is fetched and checked.
    public var pathsDone: Int
    /// Paths to fetch in all.
    public var pathsTotal: Int
    /// Bytes of NAR files (as stored in the caches, compressed) received so far.
    public var bytesDone: UInt64
    /// Bytes of NAR files to receive in all, from the narinfos' FileSize (NarSize when absent).
    public var bytesTotal: UInt64

    /// Makes a progress report.
    public init(pathsDone: Int, pathsTotal: Int, bytesDone: UInt64, bytesTotal: UInt64) {
        self.pathsDone = pathsDone
        self.pathsTotal = pathsTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}
