/// Whether a resolved closure can be installed as a whole: no package of it Conflicts with or
/// Breaks another. Only reported: the resolver does not choose other versions to avoid them.
enum DebianConflictCheck {
    /// Checks every Conflicts and Breaks relation of `packages` against the others (a package's
    /// relations on itself, or on a virtual package it provides itself, do not count).
    ///
    /// - Throws: `RuntimeError` naming both packages and the relation for the first clash (in
    ///   name order).
    static func verify(_ packages: [DebianPackage]) throws(RuntimeError) {
        var byName: [String: DebianPackage] = [:]
        var providers: [String: [(package: DebianPackage, version: DebianVersion?)]] = [:]
        for package in packages {
            byName[package.name] = package
            for provided in package.provides {
                providers[provided.name, default: []].append((package, provided.constraint?.version))
            }
        }
        for package in packages.sorted(by: { $0.name < $1.name }) {
            for (fieldName, field) in [("Conflicts", package.conflicts), ("Breaks", package.breaks)]
            where !field.isEmpty {
                let relations: [DebianRelation]
                do { relations = try DebianRelation.parseGroups(field).flatMap { $0 } } catch {
                    throw RuntimeError("\(package.label) from \(package.list): \(error)")
                }
                for relation in relations {
                    if let other = byName[relation.name], other.name != package.name,
                        relation.constraint?.isSatisfied(by: other.version) ?? true
                    {
                        throw clash(package, fieldName, relation, other)
                    }
                    for provided in providers[relation.name] ?? [] where provided.package.name != package.name {
                        let clashes =
                            relation.constraint.map { constraint in
                                provided.version.map { constraint.isSatisfied(by: $0) } ?? false
                            } ?? true
                        if clashes { throw clash(package, fieldName, relation, provided.package) }
                    }
                }
            }
        }
    }

    private static func clash(
        _ package: DebianPackage, _ field: String, _ relation: DebianRelation, _ other: DebianPackage
    )
        -> RuntimeError
    {
        RuntimeError(
            "the closure cannot be installed: \(package.label) has '\(field): \(relation)' "
                + "and \(other.label) is in it (conflicts are reported, not solved: pin other versions)")
    }
}
