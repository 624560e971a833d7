import KeelFileTree
import KeelFormats

/// Hashing a `src` package's tree as it goes into the store: its NAR with the entries its
/// `.gitignore` and `.keelignore` files match (and `.git`) left out.
enum SourceHashing {
    /// The filter every `src` package is added with.
    static let filter = SourceTreeFilter()

    /// The NAR SHA-256 of the filtered tree at `directory`, hashed on the calling thread (source
    /// packages are many and small).
    static func hash(_ directory: String) throws -> NixHash {
        try TreeDumper.hashInline(path: directory, filter: filter).hash
    }
}
