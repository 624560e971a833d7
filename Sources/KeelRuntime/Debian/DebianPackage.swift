/// One version of a binary package as an apt Packages list describes it: what the resolver
/// needs to choose it and what a lock needs to fetch it.
///
/// Relationship fields are kept as written and parsed (with `DebianRelation.parseGroups`) only
/// for the packages a resolution reaches, so a malformed field elsewhere in the archive does not
/// stop anything. Immutable, and a class so that an index of 60,000 of them moves references
/// rather than thirteen fields each; equal when every field is.
public final class DebianPackage: Sendable, Hashable {
    /// The package name.
    public let name: String
    /// The version.
    public let version: DebianVersion
    /// `amd64` (the host's architecture) or `all`.
    public let architecture: String
    /// The Multi-Arch field.
    public let multiArch: DebianMultiArch
    /// Whether the package is marked `Essential: yes`.
    public let isEssential: Bool
    /// The Pre-Depends field as written (empty when absent).
    public let preDepends: String
    /// The Depends field as written (empty when absent).
    public let depends: String
    /// The Conflicts field as written (empty when absent).
    public let conflicts: String
    /// The Breaks field as written (empty when absent).
    public let breaks: String
    /// The virtual packages it provides, each with the version it provides them at (if any).
    public let provides: [DebianRelation]
    /// The .deb's path relative to its archive's root (`pool/main/…`); empty when the list has none.
    public let filename: String
    /// The .deb's size in bytes (0 when the list has none).
    public let size: UInt64
    /// The .deb's SHA-256 in lower-case hex; empty when the list has none.
    public let sha256: String
    /// The package list it came from, for messages.
    public let list: String

    /// A package version with these fields.
    public init(
        name: String, version: DebianVersion, architecture: String, multiArch: DebianMultiArch = .no,
        isEssential: Bool = false, preDepends: String = "", depends: String = "", conflicts: String = "",
        breaks: String = "", provides: [DebianRelation] = [], filename: String = "", size: UInt64 = 0,
        sha256: String = "", list: String = ""
    ) {
        self.name = name
        self.version = version
        self.architecture = architecture
        self.multiArch = multiArch
        self.isEssential = isEssential
        self.preDepends = preDepends
        self.depends = depends
        self.conflicts = conflicts
        self.breaks = breaks
        self.provides = provides
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.list = list
    }

    /// The package version a Packages paragraph describes.
    ///
    /// - Throws: `RuntimeError` naming `list` and the paragraph's line when Package, Version or
    ///   Architecture is missing, or the version, Size or Provides field is malformed.
    public init(paragraph: DebianParagraph, list: String) throws(RuntimeError) {
        let values = paragraph.values(of: Self.fieldNames)
        func required(_ position: Int) throws(RuntimeError) -> String {
            guard let value = values[position], !value.isEmpty else {
                throw RuntimeError(
                    "\(list) line \(paragraph.line): the paragraph has no \(Self.fieldNames[position]) field")
            }
            return value
        }
        name = try required(0)
        let versionText = try required(1)
        architecture = try required(2)
        do {
            version = try DebianVersion(versionText)
            let provided = values[3] ?? ""
            provides = provided.isEmpty ? [] : try DebianRelation.parseGroups(provided).flatMap { $0 }
        } catch {
            throw RuntimeError("\(list) line \(paragraph.line) (package \(name)): \(error)")
        }
        multiArch =
            values[4].map { DebianMultiArch(rawValue: $0) ?? DebianMultiArch(rawValue: $0.lowercased()) ?? .no } ?? .no
        isEssential = values[5].map { $0 == "yes" || $0.lowercased() == "yes" } ?? false
        preDepends = values[6] ?? ""
        depends = values[7] ?? ""
        conflicts = values[8] ?? ""
        breaks = values[9] ?? ""
        filename = values[10] ?? ""
        if let sizeText = values[11] {
            guard let value = UInt64(sizeText) else {
                throw RuntimeError(
                    "\(list) line \(paragraph.line) (package \(name)): Size '\(sizeText)' is not a number")
            }
            size = value
        } else {
            size = 0
        }
        let sha256 = values[12] ?? ""
        self.sha256 = sha256.utf8.contains { $0 >= 0x41 && $0 <= 0x5a } ? sha256.lowercased() : sha256
        self.list = list
    }

    /// The fields a Packages paragraph is read for, in the order `init(paragraph:list:)` uses.
    private static let fieldNames = [
        "Package", "Version", "Architecture", "Provides", "Multi-Arch", "Essential", "Pre-Depends", "Depends",
        "Conflicts", "Breaks", "Filename", "Size", "SHA256",
    ]

    /// Whether every field of the two is equal.
    public static func == (left: DebianPackage, right: DebianPackage) -> Bool {
        left === right
            || (left.name == right.name && left.version == right.version && left.architecture == right.architecture
                && left.multiArch == right.multiArch && left.isEssential == right.isEssential
                && left.preDepends == right.preDepends && left.depends == right.depends
                && left.conflicts == right.conflicts && left.breaks == right.breaks && left.provides == right.provides
                && left.filename == right.filename && left.size == right.size && left.sha256 == right.sha256
                && left.list == right.list)
    }

    /// Hashes the identifying fields (equal packages agree on them).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(architecture)
        hasher.combine(sha256)
    }

    /// `name version (architecture)`, for messages.
    public var label: String { "\(name) \(version) (\(architecture))" }
}

/// The Multi-Arch field of a package: how it may satisfy relations across architectures.
public enum DebianMultiArch: String, Sendable, Hashable {
    /// No field, or `no`.
    case no
    /// `same`: co-installable with itself for other architectures.
    case same
    /// `foreign`: satisfies relations of packages of any architecture.
    case foreign
    /// `allowed`: relations may ask for any architecture with `:any`.
    case allowed
}
