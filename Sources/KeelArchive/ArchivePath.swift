/// A member's name made safe to use below the destination: relative, without `.`, `..` or
/// empty components, without NUL bytes.
struct ArchivePath: Hashable {
    /// The components, in order; empty for the destination itself (a name such as `./`).
    let components: [[UInt8]]

    /// The destination itself.
    static let root = ArchivePath(components: [])

    private init(components: [[UInt8]]) { self.components = components }

    /// Validates `name` as an archive spells it; `./` and repeated or trailing slashes are
    /// dropped.
    ///
    /// - Throws: `ArchiveError` naming the member for an empty or absolute name, a `..`
    ///   component or a NUL byte.
    init(validating name: [UInt8]) throws(ArchiveError) {
        guard !name.isEmpty else { throw ArchiveError.member(name, "empty name") }
        guard !name.contains(0) else { throw ArchiveError.member(name, "the name holds a NUL byte") }
        guard name.first != UInt8(ascii: "/") else {
            throw ArchiveError.member(name, "absolute path (it would escape the destination)")
        }
        var components: [[UInt8]] = []
        for component in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                throw ArchiveError.member(name, "'..' component (it would escape the destination)")
            }
            components.append(Array(component))
        }
        self.components = components
    }

    /// Whether this is the destination itself.
    var isRoot: Bool { components.isEmpty }

    /// The last component (empty for the root).
    var name: [UInt8] { components.last ?? [] }

    /// The directory holding this path (the root holds itself).
    var parent: ArchivePath { ArchivePath(components: Array(components.dropLast())) }

    /// The path of the first `count` components.
    func prefix(_ count: Int) -> ArchivePath { ArchivePath(components: Array(components.prefix(count))) }

    /// The path as bytes, components joined by `/` (`.` for the root).
    var bytes: [UInt8] {
        isRoot ? [UInt8(ascii: ".")] : Array(components.joined(separator: [UInt8(ascii: "/")]))
    }
}
