import Crypto

/// A SHA-256 content digest as OCI writes it: `sha256:` followed by 64 lowercase hex digits.
public struct ImageDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// A digest from its 64 hex digits (lowercase only, as OCI requires).
    public init(hex: String) throws(ImageError) {
        let characters = Array(hex.utf8)
        guard characters.count == 64,
            characters.allSatisfy({
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            })
        else {
            throw ImageError("invalid sha256 digest \"\(hex)\": expected 64 lowercase hex digits")
        }
        self.hex = hex
    }

    /// A digest from its `sha256:<64 lowercase hex>` form.
    public init(parsing text: String) throws(ImageError) {
        let prefix = "sha256:"
        guard text.hasPrefix(prefix) else {
            throw ImageError("invalid image digest \"\(text)\": expected sha256:<64 lowercase hex digits>")
        }
        do {
            try self.init(hex: String(text.dropFirst(prefix.count)))
        } catch {
            throw ImageError("invalid image digest \"\(text)\": expected sha256:<64 lowercase hex digits>")
        }
    }

    private init(digest: SHA256.Digest) {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in digest {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        hex = String(decoding: output, as: UTF8.self)
    }

    /// The digest of `bytes`.
    public static func sha256(of bytes: some Collection<UInt8>) -> ImageDigest {
        var hasher = SHA256()
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return ImageDigest(digest: hasher.finalize())
    }

    /// The digest of a finished SHA-256 hash (for callers that hash while streaming).
    public static func sha256(finalizing hasher: SHA256) -> ImageDigest {
        ImageDigest(digest: hasher.finalize())
    }

    /// `sha256:<hex>`.
    public var description: String { "sha256:\(hex)" }

    /// Orders digests by their hex digits.
    public static func < (lhs: ImageDigest, rhs: ImageDigest) -> Bool { lhs.hex < rhs.hex }
}
