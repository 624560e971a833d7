import KeelFormats
import KeelStore
import SystemPackage

/// The near side of `keel copy` over SSH: speaks the protocol of docs/copy-protocol.md to a
/// `keel store serve --stdio` on a pair of descriptors (ssh's stdout and stdin).
public final class RemoteStoreClient {
    private let reader: RemoteStoreFrameReader
    private let writer: RemoteStoreFrameWriter
    /// The far store's directory, as its handshake said.
    public let storeDirectory: StoreDirectory

    /// Starts a session: sends the handshake on `output` and reads the server's from `input`;
    /// `peer` names the far side in messages.
    ///
    /// - Throws: `CacheError` when the far side does not answer the handshake, speaks another
    ///   version, or has a different store directory than `expectedStoreDirectory` (a path's
    ///   hash covers its store directory, so such stores cannot share paths).
    public init(
        input: FileDescriptor, output: FileDescriptor, peer: String, expectedStoreDirectory: StoreDirectory
    ) throws(CacheError) {
        reader = RemoteStoreFrameReader(fd: input, peer: peer)
        writer = RemoteStoreFrameWriter(fd: output, peer: peer)
        try writer.write(RemoteStoreProtocol.clientMagic)
        try writer.write(RemoteStoreProtocol.version)
        try writer.flush()
        guard try reader.readUInt64("handshake") == RemoteStoreProtocol.serverMagic else {
            throw CacheError(.badInput, "\(peer) did not answer with the keel store serve handshake")
        }
        let version = try reader.readUInt64("protocol version")
        guard version == RemoteStoreProtocol.version else {
            throw CacheError(
                .badInput, "\(peer) speaks protocol version \(version), this keel speaks \(RemoteStoreProtocol.version)"
            )
        }
        let path = try reader.readString("store directory", limit: RemoteStoreProtocol.maxPathLength)
        do { storeDirectory = try StoreDirectory(path) } catch {
            throw CacheError(.badInput, "\(peer) has an invalid store directory '\(path)'")
        }
        guard storeDirectory == expectedStoreDirectory else {
            throw CacheError(
                .badInput,
                "the store directory of \(peer) is \(storeDirectory), not \(expectedStoreDirectory) as here "
                    + "(give --remote-store-dir or --store-dir)")
        }
    }

    /// Which of `paths` are valid on the far side.
    public func validPaths(_ paths: [StorePath]) throws(CacheError) -> Set<StorePath> {
        try writer.write(RemoteStoreProtocol.Request.queryValid.rawValue)
        try writer.write(paths: paths, in: storeDirectory)
        try writer.flush()
        try reader.readStatus(of: "say which paths are valid")
        let valid = Set(try reader.readStorePaths(in: storeDirectory))
        guard valid.isSubset(of: paths) else {
            throw CacheError(.badInput, "the far side named valid paths that were not asked about")
        }
        return valid
    }

    /// The closure of `paths` on the far side, each path with its NAR size.
    public func closure(of paths: [StorePath]) throws(CacheError) -> [(path: StorePath, narSize: UInt64)] {
        try writer.write(RemoteStoreProtocol.Request.queryClosure.rawValue)
        try writer.write(paths: paths, in: storeDirectory)
        try writer.flush()
        try reader.readStatus(of: "compute the closure")
        let count = try reader.readCount("closure paths")
        var closure: [(path: StorePath, narSize: UInt64)] = []
        for _ in 0..<count {
            let path = try reader.readStorePath(in: storeDirectory)
            closure.append((path, try reader.readUInt64("NAR size")))
        }
        guard Set(paths).isSubset(of: closure.map(\.path)) else {
            throw CacheError(.badInput, "the far side's closure leaves out a path asked for")
        }
        return closure
    }

    /// Sends `paths` of `local` as an export stream (references first) for the far side to
    /// import all or nothing; `progress` hears the bytes sent so far.
    ///
    /// - Returns: the paths the far side imported (already valid ones included) and the bytes sent.
    public func send(
        _ paths: [StorePath], from local: LocalStore, progress: (UInt64) -> Void = { _ in }
    ) throws(CacheError) -> (imported: [StorePath], bytes: UInt64) {
        try writer.write(RemoteStoreProtocol.Request.importPaths.rawValue)
        let bytes = try RemoteStoreChunkedOutput.send(through: writer, progress: progress) { fd in
            try local.export(paths, to: fd)
        }
        try reader.readStatus(of: "import the paths")
        return (try reader.readStorePaths(in: storeDirectory), bytes)
    }

    /// Asks the far side for `paths` as an export stream and imports it into `local`, all or
    /// nothing; `progress` hears the bytes received so far.
    ///
    /// - Returns: the paths imported and the bytes received.
    public func receive(
        _ paths: [StorePath], into local: LocalStore, progress: @escaping (UInt64) -> Void = { _ in }
    ) throws(CacheError) -> (imported: [StorePath], bytes: UInt64) {
        try writer.write(RemoteStoreProtocol.Request.exportPaths.rawValue)
        try writer.write(paths: paths, in: storeDirectory)
        try writer.flush()
        try reader.readStatus(of: "export the paths")
        let input = RemoteStoreChunkedInput(reader: reader)
        input.progress = progress
        switch Result(catching: { () throws(StoreError) in try local.importPaths(from: input.source) }) {
        case .success(let imported):
            guard input.finished else { throw CacheError(.badInput, "the far side's export stream did not end") }
            return (imported, input.bytesRead)
        case .failure(let error):
            if let failure = input.failure { throw failure }
            try input.drain()
            throw CacheError(.store, error.description)
        }
    }

    /// Ends the session politely.
    public func quit() throws(CacheError) {
        try writer.write(RemoteStoreProtocol.Request.quit.rawValue)
        try writer.flush()
    }
}
