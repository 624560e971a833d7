import KeelArchive
import KeelFormats
import KeelStore

/// Fetches one path's NAR from its cache and stages it: the file's bytes are hashed and
/// counted (FileHash, FileSize), decompressed, parsed strictly and hashed (NarHash, NarSize)
/// while they are restored under a temporary name; nothing is held whole in memory.
struct NARFetcher {
    let staging: SubstitutionStaging
    let storeDirectory: StoreDirectory

    /// Stages `planned`'s path; returns whether it was staged (false: valid meanwhile).
    ///
    /// - Throws: `PathFaultError` naming the path and the cache.
    func fetch(_ planned: PlannedPath, onBytes: @escaping (Int) -> Void) throws(PathFaultError) -> Bool {
        let info = planned.info
        let full = storeDirectory.fullPath(info.path)
        func fault(_ reason: String) -> PathFaultError {
            PathFaultError(
                fault: PathFault(
                    code: .badInput, reason: "cannot substitute '\(full)' from cache \(planned.cache.url): \(reason)"))
        }
        // An uncompressed NAR file is the NAR (staging refuses bytes after its end). When the
        // narinfo gives it the NAR's hash, the NarHash check made while staging covers the file
        // too, so its bytes are hashed once.
        let fileIsNAR = info.compression == .none && info.narInfo.fileHash == info.narInfo.narHash
        var nar: DecompressedNAR?
        do {
            let file = HashingByteSource(
                try planned.cache.openNAR(info),
                algorithm: fileIsNAR ? nil : info.narInfo.fileHash?.algorithm ?? .sha256, onBytes: onBytes)
            let decompressed = try DecompressedNAR(file, compression: info.compression)
            nar = decompressed
            guard
                try staging.stage(
                    info.path, narHash: info.narInfo.narHash, narSize: info.narInfo.narSize, from: decompressed)
            else { return false }
            do {
                try file.drain()
                if let fileSize = info.narInfo.fileSize, fileSize != file.count {
                    throw fault("its NAR file has \(file.count) bytes, not the \(fileSize) of the narinfo's FileSize")
                }
                if let fileHash = info.narInfo.fileHash, let hash = file.finalize(), fileHash != hash {
                    throw fault(
                        "its NAR file hashes to \(hash.prefixed(.nixBase32)), not the narinfo's FileHash \(fileHash.prefixed(.nixBase32))"
                    )
                }
            } catch {
                staging.discard(info.path)
                throw error
            }
            return true
        } catch let error as PathFaultError {
            throw error
        } catch let error as CacheError {
            throw fault(error.message)
        } catch let error as StoreError {
            if let failure = nar?.failure { throw fault("its NAR file is unusable: \(failure)") }
            throw fault(error.description)
        } catch {
            throw fault("\(error)")
        }
    }
}
