/// The files and directories a Debian runtime declares it does without (`leave_out` in
/// keel.toml): they are not unpacked from any of its packages. Paths are named as the runtime's
/// view has them; `/lib/…` and `/usr/lib/…` are one place there (merged /usr), so both
/// spellings, in keel.toml and in the packages, mean the same member.
public struct DebianLeaveOut: Sendable, Equatable {
    /// The paths, each in its merged-/usr spelling (`/usr/lib/x86_64-linux-gnu/gconv`), sorted,
    /// without repeats.
    public let paths: [String]
    /// `paths` split into components, for matching members.
    private let componentLists: [[[UInt8]]]

    /// Nothing left out.
    public static let none = DebianLeaveOut([])

    /// Leaves out `paths` (absolute, already validated where they came in: no empty, `.` or
    /// `..` components).
    public init(_ paths: [String]) {
        let merged = paths.map { path in
            Self.mergedComponents(path.split(separator: "/").map { Array($0.utf8) })
        }
        self.paths = Set(merged.map { "/" + $0.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/") })
            .sorted()
        componentLists = self.paths.map { $0.split(separator: "/").map { Array($0.utf8) } }
    }

    /// Whether nothing is left out.
    public var isEmpty: Bool { paths.isEmpty }

    /// The paths one per line, as the unpacking derivation records them (so its store path says
    /// what it holds).
    public var recorded: String { paths.joined(separator: "\n") }

    /// Whether the member at `components` (as the data archive names it, before /usr is merged)
    /// is one of the paths or inside one.
    public func isLeftOut(_ components: [[UInt8]]) -> Bool {
        guard !componentLists.isEmpty else { return false }
        let member = Self.mergedComponents(components)
        return componentLists.contains { path in
            path.count <= member.count && zip(path, member).allSatisfy { $0 == $1 }
        }
    }

    /// `components` as merged /usr names them: `lib/…` becomes `usr/lib/…` (`MergedUsr`).
    private static func mergedComponents(_ components: [[UInt8]]) -> [[UInt8]] {
        guard let first = components.first, MergedUsr.mergedDirectories.contains(String(decoding: first, as: UTF8.self))
        else { return components }
        return [Array("usr".utf8)] + components
    }
}
