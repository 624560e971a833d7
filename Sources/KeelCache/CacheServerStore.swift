import Hummingbird
import KeelFormats
import KeelLinux
import KeelStore

/// Serves the local store as a binary cache, as harmonia and nix-serve do: `nix-cache-info`,
/// `<hash>.narinfo` made from the database (signed when a key is given), and each valid path's
/// NAR, dumped from the store and compressed on the fly as it is sent.
///
/// NARs are named by `CacheServerNARName`; their `ETag` is the NAR hash and compression. A
/// compressed NAR's size is not known before it is sent, so its narinfo has no `FileHash` and
/// `FileSize` (Nix needs neither) and its body is chunked; an uncompressed one has both, and a
/// `Content-Length`.
struct CacheServerStore: CacheServerSource {
    private let store: LocalStore
    private let key: SigningSecretKey?
    private let compression: CacheCompression
    private let work: CacheServerBlockingWork

    /// Serves `store`, signing narinfos with `key` and compressing NARs with `compression`.
    init(store: LocalStore, key: SigningSecretKey?, compression: CacheCompression, work: CacheServerBlockingWork) {
        self.store = store
        self.key = key
        self.compression = compression
        self.work = work
    }

    func reply(to request: CacheServerRequestPath, headers: HTTPFields) async -> CacheServerReply {
        let components = request.components
        if components == [CacheLayout.cacheInfoName] {
            let text = CacheLayout.cacheInfo(storeDirectory: store.layout.storeDirectory, massQuery: true, priority: 30)
            return .text(.ok, text, contentType: "text/x-nix-cache-info")
        }
        if components.count == 1, components[0].hasSuffix(".narinfo") {
            return await narInfo(hashPart: String(components[0].dropLast(".narinfo".count)))
        }
        if components.count == 2, components[0] == CacheLayout.narDirectory,
            let name = CacheServerNARName(fileName: components[1], compression: compression)
        {
            return await nar(name, headers: headers)
        }
        return .notFound(request.relative)
    }

    /// `<hash>.narinfo`: the path's narinfo, signed with the key when there is one.
    private func narInfo(hashPart: String) async -> CacheServerReply {
        let store = store
        let found: PathInfo?
        do {
            found = try await work.run { () throws(CacheError) in try Self.validPath(hashPart: hashPart, in: store) }
        } catch { return .text(.internalServerError, "\(error.message)\n") }
        guard let info = found else { return .notFound("\(hashPart).narinfo") }
        let url = CacheServerNARName(hashPart: hashPart, narHash: info.narHash).url(compression: compression)
        var narInfo = info.narInfo(
            in: store.layout.storeDirectory, url: url, compression: compression, fileHash: info.narHash,
            fileSize: info.narSize)
        if compression != .none {
            narInfo.fileHash = nil
            narInfo.fileSize = nil
        }
        if let key {
            do { try narInfo.sign(with: key) } catch {
                return .text(.internalServerError, "cannot sign the narinfo of \(info.path): \(error)\n")
            }
        }
        return .text(.ok, narInfo.text, contentType: "text/x-nix-narinfo")
    }

    /// `nar/<hashpart>-<narhash>.nar[…]`: the path's NAR, streamed.
    private func nar(_ name: CacheServerNARName, headers: HTTPFields) async -> CacheServerReply {
        let store = store
        let hashPart = name.hashPart
        let found: PathInfo?
        do {
            found = try await work.run { () throws(CacheError) in try Self.validPath(hashPart: hashPart, in: store) }
        } catch { return .text(.internalServerError, "\(error.message)\n") }
        let fileName = name.url(compression: compression)
        guard let info = found, info.narHash.algorithm == .sha256, info.narHash.encoded(.nixBase32) == name.narHash
        else { return .notFound(fileName) }
        let entityTag = "\"\(name.narHash)\(compression.fileSuffix)\""
        if CacheServerConditions.matches(ifNoneMatch: headers, entityTag: entityTag) {
            return CacheServerReply(.notModified, headers: [.eTag: entityTag])
        }
        let path = store.fullPath(info.path)
        let compression = compression
        return CacheServerReply(
            .ok, headers: [.eTag: entityTag, .contentType: "application/x-nix-nar"],
            body: .stream(length: compression == .none ? info.narSize : nil) {
                CacheServerBodyProducer.nar(of: path, compression: compression)
            })
    }

    /// What the database knows about the valid path whose hash part is `hashPart`.
    ///
    /// - Returns: nil when `hashPart` is not a hash part or no valid path has it.
    /// - Throws: `CacheError.Code.store` when the database cannot be read.
    private static func validPath(hashPart: String, in store: LocalStore) throws(CacheError) -> PathInfo? {
        do {
            guard let path = try store.validPath(hashPart: hashPart) else { return nil }
            return try store.info(path)
        } catch {
            if error.code == .notValid { return nil }
            throw CacheError(.store, "cannot read the store database about hash '\(hashPart)': \(error)")
        }
    }
}
