/// How far a transfer of store paths has got — a push to a cache, a substitution, a copy — as
/// reported while it runs.
public struct TransferProgress: Sendable, Equatable {
    /// Paths done so far.
    public let pathsDone: Int
    /// Paths in all.
    public let pathsTotal: Int
    /// Bytes done so far (what the transfer counts: NAR bytes for a push, bytes received for a
    /// download).
    public let bytesDone: UInt64
    /// Bytes in all, as far as known beforehand.
    public let bytesTotal: UInt64

    /// A progress report.
    public init(pathsDone: Int, pathsTotal: Int, bytesDone: UInt64, bytesTotal: UInt64) {
        self.pathsDone = pathsDone
        self.pathsTotal = pathsTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}
