import Crypto
import KeelFormats

/// A file hash as a wheel's RECORD writes it: `ALGORITHM=DIGEST`, the digest in URL-safe
/// base64 without `=` padding; SHA-256, SHA-384 or SHA-512 (the weaker ones are refused, as
/// the binary distribution format says).
struct RecordDigest: Equatable {
    /// The algorithms a RECORD may use.
    enum Algorithm: String {
        case sha256, sha384, sha512
    }

    /// The algorithm.
    let algorithm: Algorithm
    /// The digest as written (URL-safe base64, no padding).
    let encoded: String

    /// `ALGORITHM=DIGEST`.
    var text: String { "\(algorithm.rawValue)=\(encoded)" }

    /// Parses a RECORD hash field.
    ///
    /// - Throws: `RuntimeError` (saying `what`) for a field without `=` or with another algorithm.
    init(parsing field: String, what: String) throws(RuntimeError) {
        guard let equals = field.firstIndex(of: "=") else {
            throw RuntimeError("\(what): the hash '\(field)' is not ALGORITHM=DIGEST")
        }
        let name = String(field[..<equals])
        guard let algorithm = Algorithm(rawValue: name) else {
            throw RuntimeError("\(what): hash algorithm '\(name)' is not accepted (only sha256, sha384 or sha512)")
        }
        self.algorithm = algorithm
        var digest = Substring(field[field.index(after: equals)...])
        while digest.hasSuffix("=") { digest = digest.dropLast() }
        encoded = String(digest)
    }

    /// A digest computed here.
    init(algorithm: Algorithm, digest: some Sequence<UInt8>) {
        self.algorithm = algorithm
        let standard = Base64.encode(Array(digest))
        var urlSafe = ""
        for character in standard {
            switch character {
            case "+": urlSafe.append("-")
            case "/": urlSafe.append("_")
            case "=": break
            default: urlSafe.append(character)
            }
        }
        encoded = urlSafe
    }

    /// The SHA-256 digest of `bytes`.
    static func sha256(of bytes: [UInt8]) -> RecordDigest {
        RecordDigest(algorithm: .sha256, digest: SHA256.hash(data: bytes))
    }
}
