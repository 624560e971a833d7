/// The work of one resolution: the packages chosen so far, why each was chosen, and the queue
/// of those whose Pre-Depends and Depends are still to be met.
///
/// Requests are chosen first, in order; then each chosen package's Pre-Depends and Depends
/// groups, in field order and in the order the packages were chosen. A group already met by a
/// chosen package (by name, or by what it provides) adds nothing; otherwise its first
/// alternative that can be met is chosen: the highest fitting version of the real package, else
/// a provider of the name (the first by package name, its highest version). A name is chosen at
/// one version only; a later constraint it does not meet is a conflict, not a reason to change it.
struct DebianResolution {
    /// Why a package is in the closure.
    enum Reason {
        /// Asked for by the user.
        case requested(DebianRequest)
        /// Chosen to meet `relation` of the package `dependent`.
        case dependency(dependent: String, relation: DebianRelation)
    }

    /// A chosen package and why.
    struct Choice {
        let package: DebianPackage
        let reason: Reason
    }

    private enum Candidate {
        case found(DebianPackage)
        case blocked(by: Choice)
        case none
    }

    private let index: DebianPackageIndex
    /// The chosen packages by name.
    private(set) var chosen: [String: Choice] = [:]
    private var providedByChosen: [String: [(package: DebianPackage, version: DebianVersion?)]] = [:]
    private var queue: [DebianPackage] = []

    init(index: DebianPackageIndex) { self.index = index }

    /// Chooses the requested packages and then everything they need.
    ///
    /// - Throws: `RuntimeError` for a package or version that does not exist, a dependency no
    ///   package meets (with the chain that needed it), or a version conflict.
    mutating func run(_ requests: [DebianRequest]) throws(RuntimeError) {
        for request in requests {
            try choose(try candidate(for: request), reason: .requested(request))
        }
        var next = 0
        while next < queue.count {
            let package = queue[next]
            next += 1
            for field in [package.preDepends, package.depends] where !field.isEmpty {
                let groups: [[DebianRelation]]
                do { groups = try DebianRelation.parseGroups(field) } catch {
                    throw RuntimeError("\(package.label) from \(package.list): \(error)")
                }
                for group in groups { try satisfy(group, of: package) }
            }
        }
    }

    /// The chain of packages that led to `name`: `request → dependency → … → name`.
    func chain(to name: String) -> String {
        var names = [name]
        var current = name
        while let choice = chosen[current], case .dependency(let dependent, _) = choice.reason {
            names.append(dependent)
            current = dependent
        }
        return names.reversed().joined(separator: " → ")
    }

    // MARK: Requests

    private func candidate(for request: DebianRequest) throws(RuntimeError) -> DebianPackage {
        let versions = index.versions(of: request.name)
        if versions.isEmpty { return try provider(for: request) }
        guard let match = versions.first(where: { request.accepts($0.version) }) else {
            let existing = versions.map(\.version.description).joined(separator: ", ")
            throw RuntimeError(
                "package '\(request.name)' has no version matching '\(request.versionPattern ?? "")' "
                    + "(the apt lists have \(existing))")
        }
        return match
    }

    /// The one provider of a virtual package asked for by name, as apt-get selects it.
    private func provider(for request: DebianRequest) throws(RuntimeError) -> DebianPackage {
        let providers = index.providers(of: request.name)
        guard let first = providers.first else {
            var message = "package '\(request.name)' is not in the host's apt lists (is `apt-get update` needed?)"
            let names = Array(index.packageNames)
            let suggestions = DebianNameSuggestions.closest(to: request.name, among: names)
            if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: ", "))?" }
            throw RuntimeError(message)
        }
        var names: [String] = []
        for provider in providers where names.last != provider.package.name { names.append(provider.package.name) }
        guard names.count == 1, request.versionPattern == nil else {
            throw RuntimeError(
                "'\(request.name)' is a virtual package provided by \(names.joined(separator: ", ")): "
                    + "ask for one of them by name")
        }
        return first.package
    }

    // MARK: Dependencies

    private mutating func satisfy(_ group: [DebianRelation], of dependent: DebianPackage) throws(RuntimeError) {
        if group.contains(where: isMetByChosen) { return }
        var blockers: [(relation: DebianRelation, choice: Choice)] = []
        for relation in group {
            switch candidate(for: relation) {
            case .found(let package):
                try choose(package, reason: .dependency(dependent: dependent.name, relation: relation))
                return
            case .blocked(let choice):
                blockers.append((relation, choice))
            case .none:
                continue
            }
        }
        if let blocker = blockers.first {
            throw RuntimeError(
                "version conflict: \(dependent.label) needs '\(blocker.relation)' (via \(chain(to: dependent.name))), "
                    + "but \(blocker.choice.package.label) is already chosen (\(describe(blocker.choice.reason)))")
        }
        let groupText = group.map(\.description).joined(separator: " | ")
        throw RuntimeError(
            "cannot satisfy '\(groupText)' needed by \(chain(to: dependent.name)) "
                + "(\(dependent.label)): \(explain(group[0]))")
    }

    private func isMetByChosen(_ relation: DebianRelation) -> Bool {
        if let choice = chosen[relation.name], fits(choice.package, relation) { return true }
        for provided in providedByChosen[relation.name] ?? []
        where Self.architecture(of: provided.package, meets: relation.architectureQualifier)
            && Self.providedVersion(provided.version, meets: relation.constraint)
        {
            return true
        }
        return false
    }

    private func candidate(for relation: DebianRelation) -> Candidate {
        var blocker: Choice?
        if let choice = chosen[relation.name] {
            blocker = choice
        } else if let version = index.versions(of: relation.name).first(where: { fits($0, relation) }) {
            return .found(version)
        }
        for provider in index.providers(of: relation.name)
        where chosen[provider.package.name] == nil
            && Self.architecture(of: provider.package, meets: relation.architectureQualifier)
            && Self.providedVersion(provider.providedVersion, meets: relation.constraint)
        {
            return .found(provider.package)
        }
        return blocker.map { .blocked(by: $0) } ?? .none
    }

    private mutating func choose(_ package: DebianPackage, reason: Reason) throws(RuntimeError) {
        if let existing = chosen[package.name] {
            guard existing.package.version == package.version, existing.package.architecture == package.architecture
            else {
                throw RuntimeError(
                    "version conflict: \(package.label) (\(describe(reason))) and \(existing.package.label) "
                        + "(\(describe(existing.reason))) cannot both be chosen")
            }
            return
        }
        chosen[package.name] = Choice(package: package, reason: reason)
        for provided in package.provides {
            providedByChosen[provided.name, default: []].append((package, provided.constraint?.version))
        }
        queue.append(package)
    }

    // MARK: Matching

    private func fits(_ package: DebianPackage, _ relation: DebianRelation) -> Bool {
        Self.architecture(of: package, meets: relation.architectureQualifier)
            && (relation.constraint?.isSatisfied(by: package.version) ?? true)
    }

    /// Whether a package of this index (amd64 or all) meets an architecture qualifier: `:any`
    /// needs `Multi-Arch: allowed`; `:native` and `:amd64` are met; other architectures are not.
    private static func architecture(of package: DebianPackage, meets qualifier: String?) -> Bool {
        switch qualifier {
        case nil, "native", DebianPackageIndex.hostArchitecture: return true
        case "any": return package.multiArch == .allowed
        default: return false
        }
    }

    /// An unversioned Provides meets only unversioned relations.
    private static func providedVersion(_ version: DebianVersion?, meets constraint: DebianVersionConstraint?) -> Bool {
        guard let constraint else { return true }
        guard let version else { return false }
        return constraint.isSatisfied(by: version)
    }

    // MARK: Messages

    private func describe(_ reason: Reason) -> String {
        switch reason {
        case .requested(let request): return "requested as \(request)"
        case .dependency(let dependent, let relation): return "for '\(relation)' of \(chain(to: dependent))"
        }
    }

    /// Why no package meets `relation`.
    private func explain(_ relation: DebianRelation) -> String {
        let versions = index.versions(of: relation.name)
        let providers = index.providers(of: relation.name)
        if versions.isEmpty && providers.isEmpty { return "no package '\(relation.name)' is in the apt lists" }
        var parts: [String] = []
        if !versions.isEmpty {
            parts.append(
                "the apt lists have \(relation.name) \(versions.map(\.version.description).joined(separator: ", "))")
        }
        if !providers.isEmpty {
            let names = providers.map { provider in
                provider.package.label
                    + (provider.providedVersion.map { " providing \(relation.name) (= \($0))" } ?? "")
            }
            parts.append("provided by \(names.joined(separator: ", "))")
        }
        switch relation.architectureQualifier {
        case nil, "native", DebianPackageIndex.hostArchitecture: break
        case "any": parts.append("'\(relation.name):any' needs a package with Multi-Arch: allowed")
        case let other?: parts.append("only amd64 and all packages are resolved, not \(other)")
        }
        return parts.joined(separator: "; ")
    }
}
