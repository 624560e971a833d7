import Foundation
import KeelCache
import KeelFormats
import KeelStore
import Testing

/// Ways a test corrupts a cache nix wrote; each must be refused with nothing registered.
enum SubstitutionTampering: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case narHash
    case fileHash
    case fileHashOfUncompressed
    case references
    case signature
    case untrustedKey
    case flippedByte
    case truncated
    case notXz
    case notZstd
    case missingNAR

    var testDescription: String { rawValue }

    /// The compression the cache is written with.
    var compression: String {
        switch self {
        case .flippedByte, .fileHashOfUncompressed: "none"
        case .notZstd: "zstd"
        default: "xz"
        }
    }

    /// The refusal's code.
    var expectedCode: CacheError.Code {
        switch self {
        case .references, .signature, .untrustedKey: .untrusted
        default: .badInput
        }
    }

    /// Words the reason must hold.
    var expectedWords: String {
        switch self {
        case .narHash, .flippedByte: "hashes to"
        case .fileHash, .fileHashOfUncompressed: "not the narinfo's FileHash"
        case .references, .signature, .untrustedKey: "no signature by a trusted key"
        case .truncated: "truncated"
        case .notXz: "not an xz stream"
        case .notZstd: "not a zstd stream"
        case .missingNAR: "cannot open"
        }
    }

    /// Corrupts `cache`; returns the path whose files were changed.
    func apply(to fixture: SubstitutionFixture, cache: String) throws -> StorePath {
        let dep = try fixture.path(named: "dep")
        let top = try fixture.layout.storeDirectory.parse(fixture.top)
        switch self {
        case .narHash:
            try fixture.editNarInfo(of: dep, in: cache, resign: true) {
                $0.narHash = StreamingHasher.hash(.sha256, Array("something else".utf8))
            }
            return dep
        case .fileHash, .fileHashOfUncompressed:
            // FileHash is not signed: only the check of the downloaded file catches it (of an
            // uncompressed NAR too, whose file is otherwise checked by its NarHash alone).
            try fixture.editNarInfo(of: dep, in: cache, resign: false) {
                $0.fileHash = StreamingHasher.hash(.sha256, Array("another file".utf8))
            }
            return dep
        case .references:
            try fixture.editNarInfo(of: top, in: cache, resign: false) { $0.references.removeLast() }
            return top
        case .signature:
            try fixture.editNarInfo(of: dep, in: cache, resign: false) { info in
                info.signatures = info.signatures.map { signature in
                    var characters = Array(signature)
                    let index = characters.count - 10
                    characters[index] = characters[index] == "A" ? "B" : "A"
                    return String(characters)
                }
            }
            return dep
        case .untrustedKey:
            return top
        case .flippedByte:
            // A byte of the file's contents ("dep\n"), so the NAR still parses and only hashes differ.
            try SubstitutionFixture.editFile(try fixture.narFile(of: dep, in: cache)) { bytes in
                let contents = Array("dep\n".utf8)
                if let start = bytes.indices.last(where: { bytes[$0...].starts(with: contents) }) {
                    bytes[start] ^= 0x01
                }
            }
            return dep
        case .truncated:
            try SubstitutionFixture.editFile(try fixture.narFile(of: dep, in: cache)) { $0.removeLast($0.count / 2) }
            return dep
        case .notXz, .notZstd:
            try SubstitutionFixture.editFile(try fixture.narFile(of: dep, in: cache)) { bytes in
                bytes = Array("this is not compressed at all, but a narinfo says it is\n".utf8)
            }
            return dep
        case .missingNAR:
            try FileManager.default.removeItem(atPath: try fixture.narFile(of: dep, in: cache))
            return dep
        }
    }
}
