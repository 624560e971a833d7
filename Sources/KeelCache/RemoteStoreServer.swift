import KeelFormats
import KeelStore
import SystemPackage

/// The far side of `keel copy` over SSH (`keel store serve --stdio`): answers one client's
/// requests about `store` on a pair of descriptors until the client says `quit` or goes away.
///
/// A request the store refuses gets a failure reply and the session goes on; a malformed or
/// truncated request ends the session with an error (an import cut short registers nothing).
public struct RemoteStoreServer {
    private let store: LocalStore
    private let reader: RemoteStoreFrameReader
    private let writer: RemoteStoreFrameWriter
    private var directory: StoreDirectory { store.layout.storeDirectory }

    /// Serves `store`, reading requests from `input` and writing replies to `output`.
    public init(store: LocalStore, input: FileDescriptor, output: FileDescriptor) {
        self.store = store
        reader = RemoteStoreFrameReader(fd: input, peer: "the client")
        writer = RemoteStoreFrameWriter(fd: output, peer: "the client")
    }

    /// Runs the session: the handshake, then requests until `quit` or the end of input between
    /// requests.
    /// - Throws: `CacheError` for a broken handshake, an unknown or malformed request, or a
    ///   connection that failed mid-request.
    public func serve() throws(CacheError) {
        let magic = try reader.readUInt64("handshake")
        guard magic == RemoteStoreProtocol.clientMagic else {
            throw CacheError(.badInput, "the client did not start with the keel copy handshake")
        }
        let version = try reader.readUInt64("protocol version")
        try writer.write(RemoteStoreProtocol.serverMagic)
        try writer.write(RemoteStoreProtocol.version)
        try writer.write(directory.path)
        try writer.flush()
        guard version == RemoteStoreProtocol.version else {
            throw CacheError(
                .badInput,
                "the client speaks protocol version \(version), this keel speaks \(RemoteStoreProtocol.version)")
        }
        while let code = try reader.readUInt64OrEnd("request") {
            guard let request = RemoteStoreProtocol.Request(rawValue: code) else {
                throw CacheError(.badInput, "the client sent an unknown request \(code)")
            }
            switch request {
            case .quit: return
            case .queryValid: try answerValid()
            case .queryClosure: try answerClosure()
            case .importPaths: try receiveImport()
            case .exportPaths: try sendExport()
            }
            try writer.flush()
        }
    }

    private func answerValid() throws(CacheError) {
        let paths = try reader.readStorePaths(in: directory)
        let store = self.store
        let valid = Result { () throws(StoreError) -> [StorePath] in
            var valid: [StorePath] = []
            for path in paths where try store.isValid(path) { valid.append(path) }
            return valid
        }
        switch valid {
        case .success(let valid):
            try writer.write(RemoteStoreProtocol.Status.ok.rawValue)
            try writer.write(paths: valid, in: directory)
        case .failure(let error):
            try writer.writeFailure(error.description)
        }
    }

    private func answerClosure() throws(CacheError) {
        let paths = try reader.readStorePaths(in: directory)
        let store = self.store
        let infos = Result { () throws(StoreError) -> [PathInfo] in
            try store.requireValid(paths)
            return try store.closureInfos(of: paths)
        }
        switch infos {
        case .success(let infos):
            try writer.write(RemoteStoreProtocol.Status.ok.rawValue)
            try writer.write(UInt64(infos.count))
            for info in infos {
                try writer.write(directory.fullPath(info.path))
                try writer.write(info.narSize)
            }
        case .failure(let error):
            try writer.writeFailure(error.description)
        }
    }

    private func receiveImport() throws(CacheError) {
        let input = RemoteStoreChunkedInput(reader: reader)
        let imported: [StorePath]
        do {
            imported = try store.importPaths(from: input.source)
        } catch {
            if let failure = input.failure {
                try? writer.writeFailure("the import stream broke: \(failure); nothing was imported")
                try? writer.flush()
                throw failure
            }
            // Skip the rest of the stream, so the reply is read where the client looks for it.
            try input.drain()
            try writer.writeFailure(error.description)
            return
        }
        guard input.finished else { throw CacheError(.badInput, "the client's import stream did not end") }
        try writer.write(RemoteStoreProtocol.Status.ok.rawValue)
        try writer.write(paths: imported, in: directory)
    }

    private func sendExport() throws(CacheError) {
        let paths = try reader.readStorePaths(in: directory)
        let store = self.store
        if case .failure(let error) = Result(catching: { () throws(StoreError) in try store.requireValid(paths) }) {
            try writer.writeFailure(error.description)
            return
        }
        try writer.write(RemoteStoreProtocol.Status.ok.rawValue)
        do {
            _ = try RemoteStoreChunkedOutput.send(through: writer) { fd in try store.export(paths, to: fd) }
        } catch {
            // A failed export was abandoned in the stream, with its reason; the session goes on.
            guard error.code == .store else { throw error }
        }
    }
}

extension LocalStore {
    /// Throws `.notValid` naming the first of `paths` that is not valid.
    fileprivate func requireValid(_ paths: [StorePath]) throws(StoreError) {
        for path in paths where try !isValid(path) {
            throw StoreError(.notValid, "'\(fullPath(path))' is not valid there")
        }
    }
}
