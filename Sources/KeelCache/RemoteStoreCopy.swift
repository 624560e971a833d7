import KeelFormats
import KeelStore

/// What a copy between stores did.
public struct RemoteCopyReport: Sendable, Equatable {
    /// The paths sent (or received), references first.
    public var copied: [StorePath]
    /// The paths of the closure the destination already had.
    public var alreadyPresent: [StorePath]
    /// The bytes of export stream sent (or received).
    public var bytes: UInt64
}

/// How far a copy has come: bytes of the export stream so far, out of about `expectedBytes`
/// (the NARs' sizes; the stream's framing adds a little).
public typealias RemoteCopyProgress = (_ bytes: UInt64, _ expectedBytes: UInt64) -> Void

/// `keel copy --to` and `--from` between the local store and a `RemoteStoreClient`'s far side:
/// only the paths the destination lacks travel, as one export stream imported all or nothing.
public enum RemoteStoreCopy {
    /// Copies the closure of `roots` from `local` to the far side.
    public static func push(
        _ roots: [StorePath], from local: LocalStore, to client: RemoteStoreClient,
        progress: @escaping RemoteCopyProgress = { _, _ in }
    ) throws(CacheError) -> RemoteCopyReport {
        let closure: [StorePath]
        let infos: [PathInfo]
        do {
            closure = try local.dependencyOrder(Array(try local.closure(of: roots)))
            infos = try local.infos(of: closure)
        } catch {
            throw CacheError(.store, error.description)
        }
        let present = try client.validPaths(closure)
        let missing = closure.filter { !present.contains($0) }
        let report = RemoteCopyReport(copied: missing, alreadyPresent: closure.filter(present.contains), bytes: 0)
        guard !missing.isEmpty else { return report }
        let expected = infos.filter { !present.contains($0.path) }.reduce(0) { $0 &+ $1.narSize }
        let sent = try client.send(missing, from: local) { progress($0, expected) }
        let imported = Set(sent.imported)
        if let absent = missing.first(where: { !imported.contains($0) }) {
            throw CacheError(.store, "the far side did not import '\(local.fullPath(absent))'")
        }
        return RemoteCopyReport(copied: missing, alreadyPresent: report.alreadyPresent, bytes: sent.bytes)
    }

    /// Copies the closure of `roots` (paths of the far side) into `local`.
    public static func pull(
        _ roots: [StorePath], from client: RemoteStoreClient, into local: LocalStore,
        progress: @escaping RemoteCopyProgress = { _, _ in }
    ) throws(CacheError) -> RemoteCopyReport {
        let closure = try client.closure(of: roots)
        var missing: [StorePath] = []
        var present: [StorePath] = []
        var expected: UInt64 = 0
        do {
            for (path, narSize) in closure {
                if try local.isValid(path) {
                    present.append(path)
                } else {
                    missing.append(path)
                    expected &+= narSize
                }
            }
        } catch {
            throw CacheError(.store, error.description)
        }
        guard !missing.isEmpty else { return RemoteCopyReport(copied: [], alreadyPresent: present, bytes: 0) }
        let received = try client.receive(missing, into: local) { progress($0, expected) }
        let imported = Set(received.imported)
        if let absent = missing.first(where: { !imported.contains($0) }) {
            throw CacheError(.badInput, "the far side did not send '\(local.fullPath(absent))'")
        }
        let ordered: [StorePath]
        do { ordered = try local.dependencyOrder(missing) } catch { throw CacheError(.store, error.description) }
        return RemoteCopyReport(copied: ordered, alreadyPresent: present, bytes: received.bytes)
    }
}
