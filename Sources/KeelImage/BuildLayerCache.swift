import Crypto
import KeelArchive
import KeelLinux

/// Store-path layers already built, by what went into them, so a rebuild reads only the
/// layers whose paths changed.
///
/// A layer's bytes are a function of its store paths' NAR contents, the store directory, the
/// tar formatting and the compression (see `StorePathTar`); the key hashes exactly those
/// (each path with its NAR hash from the store's database). An entry is `layers/KEY` (one
/// line: diff_id, digest, size, tar size, boot ID) next to the blob itself,
/// `blobs/sha256/HEX`, hard-linked from the image it was first written for. A hit is linked
/// into the new image without reading it; a missing or resized blob is a miss.
///
/// Nothing here is synced: a blob is written like any output file, and only a crash of the
/// machine can lose what the page cache holds. So an entry is trusted only in the boot it was
/// written in (`/proc/sys/kernel/random/boot_id`); after a reboot its blob may hold what the
/// disk had rather than what was written, and the layer is built again. Everything here is
/// safe to delete.
struct LayerCache {
    /// `CACHE/images`.
    let directory: String

    /// The key of a layer holding `paths` (full path and NAR hash, in layer order).
    static func key(
        paths: [(path: String, narHash: String)], storeDirectory: String, formatting: TarFormatting,
        compression: LayerCompression
    ) -> String {
        var text = "keel-image-layer 1\nstore \(storeDirectory)\ncompression \(compression.rawValue)\n"
        text += "tar mtime=\(formatting.modificationTime) uid=\(formatting.userID) gid=\(formatting.groupID) "
        text += "user=\(formatting.userName) group=\(formatting.groupName)\n"
        for entry in paths { text += "path \(entry.path) \(entry.narHash)\n" }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in SHA256.hash(data: Array(text.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// This boot's ID, which entries are written with and must match to be used; nil (no
    /// entry is used) where the kernel does not tell it.
    private static let bootID: String? = {
        guard let bytes = try? FileSystem.readWholeFile("/proc/sys/kernel/random/boot_id", limit: 64) else {
            return nil
        }
        let text = String(decoding: bytes.filter { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        return text.isEmpty || text.contains(" ") ? nil : text
    }()

    /// The cached layer under `key`, written in this boot, whose blob is still there with its
    /// size, if any.
    func lookup(_ key: String) -> (digests: LayerDigests, blob: String)? {
        // An entry is one line: one without its newline was torn by a crash.
        guard let bootID = Self.bootID, let bytes = try? FileSystem.readWholeFile(entryPath(key), limit: 4096),
            bytes.last == UInt8(ascii: "\n")
        else { return nil }
        // Split on the bytes the entry is written with (one per layer: kept cheap).
        let fields = bytes.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }.map {
            String(decoding: $0, as: UTF8.self)
        }
        guard fields.count == 5, fields[4] == bootID, let diffID = try? ImageDigest(parsing: fields[0]),
            let digest = try? ImageDigest(parsing: fields[1]), let size = UInt64(fields[2]),
            let tarSize = UInt64(fields[3])
        else { return nil }
        let blob = blobPath(digest)
        guard let status = try? FileSystem.status(of: Array(blob.utf8)), status.kind == .regular, status.size == size
        else { return nil }
        return (LayerDigests(diffID: diffID, digest: digest, size: size, tarSize: tarSize), blob)
    }

    /// Records the layer written at `blob` under `key`: links the blob in (when the cache is
    /// on the same file system; otherwise nothing is cached) and writes the entry. Failures
    /// are ignored: the cache is only ever an optimisation.
    func store(_ key: String, digests: LayerDigests, blob: String) {
        guard let bootID = Self.bootID else { return }
        do throws(SystemError) {
            try FileSystem.makeDirectories(directory + "/blobs/sha256", permissions: 0o755)
            try FileSystem.makeDirectories(directory + "/layers", permissions: 0o755)
        } catch { return }
        // Linked under a temporary name, then renamed over the entry's blob: a damaged blob
        // of the same name is replaced.
        let cached = blobPath(digests.digest)
        let temporary = cached + ".new-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        do throws(SystemError) {
            try FileSystem.link(
                Array(blob.utf8), in: FileSystem.currentDirectory, as: Array(temporary.utf8),
                in: FileSystem.currentDirectory)
            try FileSystem.rename(
                Array(temporary.utf8), in: FileSystem.currentDirectory, to: Array(cached.utf8),
                in: FileSystem.currentDirectory)
        } catch {
            // Another file system (no hard links across them), or no room: nothing is cached.
            try? FileSystem.remove(Array(temporary.utf8), in: FileSystem.currentDirectory, isDirectory: false)
            return
        }
        let line = Array("\(digests.diffID) \(digests.digest) \(digests.size) \(digests.tarSize) \(bootID)\n".utf8)
        guard let entry = try? FileSystem.createReplacing(atPath: entryPath(key)) else { return }
        _ = try? FileSystem.write(entry, line, at: 0)
        FileSystem.close(entry)
    }

    private func entryPath(_ key: String) -> String { directory + "/layers/" + key }

    private func blobPath(_ digest: ImageDigest) -> String { directory + "/blobs/sha256/" + digest.hex }
}
