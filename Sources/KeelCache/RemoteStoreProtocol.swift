/// The constants of the protocol `keel copy` speaks over SSH with `keel store serve --stdio`
/// (docs/copy-protocol.md): magic numbers, the version, request codes, reply statuses, chunk
/// markers and the limits every reader enforces.
public enum RemoteStoreProtocol {
    /// The first word a client sends: "KEELCLNT" read as a little-endian u64.
    public static let clientMagic: UInt64 = 0x544e_4c43_4c45_454b
    /// The first word a server sends: "KEELSERV" read as a little-endian u64.
    public static let serverMagic: UInt64 = 0x5652_4553_4c45_454b
    /// The protocol version both sides must speak.
    public static let version: UInt64 = 1

    /// What a client asks for.
    public enum Request: UInt64, Sendable {
        /// End the session; the server exits without a reply.
        case quit = 0
        /// Which of these paths are valid?
        case queryValid = 1
        /// The closure of these paths, with each path's NAR size.
        case queryClosure = 2
        /// Import the chunked `nix-store --export` stream that follows, all or nothing.
        case importPaths = 3
        /// Send these paths as a chunked `nix-store --export` stream.
        case exportPaths = 4
    }

    /// The first word of every reply.
    public enum Status: UInt64, Sendable {
        /// The request succeeded; its results follow.
        case ok = 0
        /// The request failed; a one-line message follows.
        case failed = 1
    }

    /// The chunk length that ends a chunked stream.
    public static let endOfChunks: UInt64 = 0
    /// The chunk length that abandons a chunked stream; a message follows.
    public static let abortChunks: UInt64 = .max

    /// The longest chunk a reader accepts.
    public static let maxChunk = 1 << 20
    /// The longest store path a reader accepts.
    public static let maxPathLength = 4096
    /// The longest message (an error, the store directory) a reader accepts.
    public static let maxMessageLength = 64 << 10
    /// The most paths one request or reply may name.
    public static let maxPathCount = 1 << 20
}
