import KeelFormats

/// The NAR file name a store-serving cache gives a path, `nar/<hashpart>-<narhash>.nar[.xz|.zst]`:
/// it names the store path (by its hash part) and the NAR hash it had when its narinfo was made,
/// so a request maps back to the path without any state, and a path whose contents changed (it
/// was deleted and made again) is not served under an old name.
struct CacheServerNARName: Equatable {
    /// The store path's hash part.
    let hashPart: String
    /// The NAR hash's Nix-base32 digest (sha256, 52 characters).
    let narHash: String

    /// The name of the NAR of `info`.
    init(hashPart: String, narHash: NixHash) {
        self.hashPart = hashPart
        self.narHash = narHash.encoded(.nixBase32)
    }

    /// Reads the file name (the part after `nar/`) of a NAR compressed with `compression`.
    ///
    /// - Returns: nil for any other name.
    init?(fileName: String, compression: CacheCompression) {
        guard fileName.hasSuffix(compression.fileSuffix) else { return nil }
        let stem = Array(fileName.utf8.dropLast(compression.fileSuffix.utf8.count))
        let hashLength = StorePath.hashPartLength
        guard stem.count == hashLength + 1 + 52, stem[hashLength] == UInt8(ascii: "-"),
            stem.indices.allSatisfy({ $0 == hashLength || NixBase32.alphabet.contains(stem[$0]) })
        else { return nil }
        hashPart = String(decoding: stem[..<hashLength], as: UTF8.self)
        narHash = String(decoding: stem[(hashLength + 1)...], as: UTF8.self)
    }

    /// The URL relative to the cache root.
    func url(compression: CacheCompression) -> String {
        "\(CacheLayout.narDirectory)/\(hashPart)-\(narHash)\(compression.fileSuffix)"
    }
}
