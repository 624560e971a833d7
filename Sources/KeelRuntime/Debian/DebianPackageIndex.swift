/// Every version of every binary package the host's apt lists offer for its architecture (amd64)
/// and `all`, by name, and the providers of every virtual package.
///
/// The same name, version and architecture in several lists is kept once (the first list by
/// file name wins). Apt's pin priorities are not read: every list counts alike, and the resolver
/// prefers the highest version, as apt does when priorities are equal.
public struct DebianPackageIndex: Sendable {
    /// The architecture relations are evaluated for.
    public static let hostArchitecture = "amd64"

    private let versionsByName: [String: [DebianPackage]]
    private let providersByName: [String: [DebianProvider]]

    /// An index of `packages`; versions of other architectures than amd64 and all are left out.
    public init(packages: [DebianPackage]) {
        let native = packages.filter { $0.architecture == Self.hostArchitecture || $0.architecture == "all" }
        let versionsByName = Dictionary(grouping: native, by: \.name).mapValues(Self.highestFirst)
        var providersByName: [String: [DebianProvider]] = [:]
        for versions in versionsByName.values {
            for package in versions {
                for provided in package.provides {
                    providersByName[provided.name, default: []].append(
                        DebianProvider(package: package, providedVersion: provided.constraint?.version))
                }
            }
        }
        self.versionsByName = versionsByName
        self.providersByName = providersByName.mapValues { providers in
            providers.sorted { left, right in
                if left.package.name != right.package.name { return left.package.name < right.package.name }
                return left.package.version > right.package.version
            }
        }
    }

    /// An index of one Packages text (`source` names it in messages), as tests and tools build.
    ///
    /// - Throws: `RuntimeError` naming `source` and the line for a malformed paragraph.
    public init(parsing text: [UInt8], source: String) throws(RuntimeError) {
        self.init(packages: try Self.packages(parsing: text, source: source))
    }

    /// Loads every `*_Packages` list of `listsDirectory` (plain, `.lz4`, `.gz` or `.xz`).
    ///
    /// - Throws: `RuntimeError` when the directory holds no Packages list (saying to run
    ///   `apt-get update`), or naming the list that cannot be read or parsed.
    public static func load(listsDirectory: String = "/var/lib/apt/lists") throws(RuntimeError) -> DebianPackageIndex {
        var packages: [DebianPackage] = []
        for list in try DebianPackageLists.files(in: listsDirectory) {
            packages += try Self.packages(parsing: try DebianPackageLists.read(list), source: list)
        }
        return DebianPackageIndex(packages: packages)
    }

    /// The versions of the real package `name`, highest first (empty when there is none).
    public func versions(of name: String) -> [DebianPackage] { versionsByName[name] ?? [] }

    /// The package versions that provide `name`, by package name and then highest version first.
    public func providers(of name: String) -> [DebianProvider] { providersByName[name] ?? [] }

    /// Every real package name.
    public var packageNames: some Collection<String> { versionsByName.keys }

    /// How many package versions the index holds.
    public var versionCount: Int { versionsByName.values.reduce(0) { $0 + $1.count } }

    private static func packages(parsing text: [UInt8], source: String) throws(RuntimeError) -> [DebianPackage] {
        let control = try DebianControl(parsing: text, source: source)
        var packages: [DebianPackage] = []
        packages.reserveCapacity(control.count)
        for paragraph in control {
            guard let architecture = paragraph["Architecture"],
                architecture == hostArchitecture || architecture == "all"
            else { continue }
            packages.append(try DebianPackage(paragraph: paragraph, list: source))
        }
        return packages
    }

    /// `versions` highest first with duplicates (same version and architecture) dropped; ties
    /// keep their order, so the first list wins.
    private static func highestFirst(_ versions: [DebianPackage]) -> [DebianPackage] {
        if versions.count == 1 { return versions }
        let ordered = versions.enumerated().sorted { left, right in
            let order = DebianVersion.compare(left.element.version, right.element.version)
            if order != 0 { return order > 0 }
            if left.element.architecture != right.element.architecture {
                return left.element.architecture == hostArchitecture
            }
            return left.offset < right.offset
        }.map(\.element)
        var unique: [DebianPackage] = []
        for package in ordered
        where !unique.contains(where: { $0.version == package.version && $0.architecture == package.architecture }) {
            unique.append(package)
        }
        return unique
    }
}

/// A package version that provides a virtual package, and the version it provides it at
/// (`Provides: foo (= 1.2)`), which only then satisfies a versioned relation.
public struct DebianProvider: Sendable, Hashable {
    /// The providing package version.
    public let package: DebianPackage
    /// The provided version, or nil for an unversioned Provides.
    public let providedVersion: DebianVersion?
}
