/// One member of an ar archive as `ArReader` lists it.
public struct ArMember: Sendable, Equatable {
    /// The member's name: trailing spaces and a GNU `/` terminator dropped, GNU long names
    /// (`/N`) looked up in the archive's name table.
    public let name: String
    /// Where the member's 60-byte header starts in the archive.
    public let headerOffset: UInt64
    /// Where its content starts.
    public let contentOffset: UInt64
    /// Its content's length in bytes.
    public let size: UInt64
    /// Its mode field (octal in the header; 0 where the field is blank).
    public let mode: UInt32
}
