/// Resolves requested Debian packages (`python3.11-minimal`, `libssl3=3.0.*`) into the pinned
/// closure over Pre-Depends and Depends that `keel lock` records.
///
/// Recommends and Suggests are not followed. Alternatives, virtual packages and version
/// constraints are resolved as `DebianResolution` describes; Conflicts and Breaks within the
/// closure are reported as errors, not solved. The result depends on the index only: the same
/// lists give the same pins, sorted by name.
public struct DebianResolver: Sendable {
    /// The package lists resolved against.
    public let index: DebianPackageIndex

    /// A resolver over `index`.
    public init(index: DebianPackageIndex) { self.index = index }

    /// The pinned closure of `requests` (`name`, `name=version` or `name=glob`), sorted by name.
    ///
    /// - Throws: `RuntimeError` with a one-line message: a malformed request, a package that
    ///   does not exist (with close names), a version that does not (with those that do), a
    ///   dependency that cannot be met (with the chain that needed it), a version conflict
    ///   (naming both packages and constraints), a Conflicts or Breaks within the closure, or a
    ///   chosen package whose list has no Filename or SHA256.
    public func resolve(_ requests: [String]) throws(RuntimeError) -> [DebianPin] {
        var parsed: [DebianRequest] = []
        for request in requests { parsed.append(try DebianRequest(request)) }
        var pins: [DebianPin] = []
        for package in try resolvePackages(parsed) { pins.append(try Self.pin(package)) }
        return pins
    }

    /// The package versions of the closure of `requests`, sorted by name.
    ///
    /// - Throws: `RuntimeError` as `resolve(_:)` does, but without checking fetch fields.
    public func resolvePackages(_ requests: [DebianRequest]) throws(RuntimeError) -> [DebianPackage] {
        guard !requests.isEmpty else { return [] }
        var resolution = DebianResolution(index: index)
        try resolution.run(requests)
        let packages = resolution.chosen.values.map(\.package).sorted { $0.name < $1.name }
        try DebianConflictCheck.verify(packages)
        return packages
    }

    private static func pin(_ package: DebianPackage) throws(RuntimeError) -> DebianPin {
        guard !package.filename.isEmpty else {
            throw RuntimeError("\(package.label) in \(package.list) has no Filename: cannot pin it")
        }
        let isHex = package.sha256.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        guard package.sha256.utf8.count == 64, isHex else {
            throw RuntimeError("\(package.label) in \(package.list) has no valid SHA256: cannot pin it")
        }
        return DebianPin(
            name: package.name, version: package.version.description, architecture: package.architecture,
            filename: package.filename, size: package.size, sha256: package.sha256)
    }
}
