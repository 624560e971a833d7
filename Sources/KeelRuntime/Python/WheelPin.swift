/// One wheel pinned in a lock, as `pip --require-hashes` pins it: the project, its version, the
/// exact file and the file's SHA-256. Pins sort by name, then version, then file name.
public struct WheelPin: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    /// The project name normalized as PEP 503 does (`charset-normalizer`).
    public let name: String
    /// The version as the wheel's file name spells it (`2.1.3`).
    public let version: String
    /// The wheel's file name (`numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`).
    public let fileName: String
    /// The file's SHA-256 in lower-case hex.
    public let sha256: String

    /// A pin of `fileName` with digest `sha256`; nothing is checked here (`WheelFetcher` checks a
    /// pin before it fetches).
    public init(name: String, version: String, fileName: String, sha256: String) {
        self.name = name
        self.version = version
        self.fileName = fileName
        self.sha256 = sha256
    }

    /// `NAME==VERSION`, the requirement that fetches this wheel.
    public var requirement: String { "\(name)==\(version)" }

    /// `NAME==VERSION (FILE)`.
    public var description: String { "\(requirement) (\(fileName))" }

    /// Orders by name, then version, then file name.
    public static func < (lhs: WheelPin, rhs: WheelPin) -> Bool {
        (lhs.name, lhs.version, lhs.fileName, lhs.sha256) < (rhs.name, rhs.version, rhs.fileName, rhs.sha256)
    }
}
