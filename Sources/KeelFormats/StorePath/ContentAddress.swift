/// How a content-addressed path's contents were hashed (the `ca` field; spec/nix-formats.md §3.5).
public enum ContentAddressMethod: Hashable, Sendable {
    /// A text file hashed with sha256 (`text:`): `builtins.toFile` results and `.drv` files.
    case text
    /// One regular file hashed flat (`fixed:<algo>:`).
    case flat
    /// The NAR of a tree (`fixed:r:<algo>:`); with sha256 this is a `source` path.
    case recursive
}

/// A content address: the method plus the hash, as in SQLite's `ca` column and narinfo's `CA:`.
public struct ContentAddress: Hashable, Sendable, CustomStringConvertible {
    /// How the contents were hashed.
    public let method: ContentAddressMethod
    /// The hash; sha256 for `text`.
    public let hash: NixHash

    /// Makes a content address.
    public init(method: ContentAddressMethod, hash: NixHash) {
        self.method = method
        self.hash = hash
    }

    /// `text:sha256:<b32>`, `fixed:<algo>:<b32>` or `fixed:r:<algo>:<b32>`.
    public var description: String {
        switch method {
        case .text: "text:\(hash.prefixed(.nixBase32))"
        case .flat: "fixed:\(hash.prefixed(.nixBase32))"
        case .recursive: "fixed:r:\(hash.prefixed(.nixBase32))"
        }
    }

    /// Parses the three forms.
    ///
    /// - Throws: `ContentAddressError` naming the bad text.
    public init(parsing text: String) throws(ContentAddressError) {
        do {
            if text.hasPrefix("text:") {
                let hash = try NixHash(parsing: String(text.dropFirst(5)))
                guard hash.algorithm == .sha256 else { throw ContentAddressError.invalid(text) }
                self.init(method: .text, hash: hash)
            } else if text.hasPrefix("fixed:r:") {
                self.init(method: .recursive, hash: try NixHash(parsing: String(text.dropFirst(8))))
            } else if text.hasPrefix("fixed:") {
                self.init(method: .flat, hash: try NixHash(parsing: String(text.dropFirst(6))))
            } else {
                throw ContentAddressError.invalid(text)
            }
        } catch let error as ContentAddressError {
            throw error
        } catch {
            throw .invalid(text)
        }
    }
}

/// A content-address string that is not one of the three forms.
public enum ContentAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text that failed to parse.
    case invalid(String)

    /// One line saying what is wrong.
    public var description: String {
        switch self {
        case .invalid(let text): "invalid content address '\(text)'"
        }
    }
}
