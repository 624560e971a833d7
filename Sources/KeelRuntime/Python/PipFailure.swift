/// Turns a failed `pip download` into one clear line, from what pip's verbose log says: a
/// package with no wheel for the target (only a source distribution, or only wheels for other
/// platforms), a package that does not exist, a version no wheel satisfies, an index pip could
/// not reach; anything else is pip's own first error line.
enum PipFailure {
    /// The most versions a message lists (the newest ones).
    static let listedVersions = 25

    /// The error for `run`, which failed while pip was `action` (`"resolving numpy==2.1.3"`).
    static func error(of run: PipRun, action: String, target: PipTarget) -> RuntimeError {
        let log = run.log ?? []
        let marker = "Could not find a version that satisfies the requirement "
        if let line = log.first(where: { $0.contains(marker) }), let range = line.range(of: marker) {
            return unsatisfied(String(line[range.upperBound...]), log: log, target: target)
        }
        let errors = log.compactMap { line -> String? in
            guard let range = line.range(of: "ERROR: ") else { return nil }
            return String(line[range.upperBound...])
        }
        if let first = errors.first {
            return RuntimeError("pip failed \(action) (\(run.termination)): \(first)")
        }
        return RuntimeError("pip failed \(action) (\(run.termination)); its messages are above")
    }

    /// The error for pip's `REQUIREMENT (from versions: LIST)`.
    private static func unsatisfied(_ text: String, log: [String], target: PipTarget) -> RuntimeError {
        let versionsMarker = " (from versions: "
        let requirement: String
        var versions: [String] = []
        if let range = text.range(of: versionsMarker) {
            requirement = String(text[..<range.lowerBound])
            let list = text[range.upperBound...].trimmingSuffix(")")
            if list != "none" {
                versions = list.split(separator: ",").map { String($0.drop(while: { $0 == " " })) }
            }
        } else {
            requirement = text
        }
        let name = projectName(of: requirement)
        if !versions.isEmpty {
            let shown =
                versions.count > listedVersions
                ? "…, " + versions.suffix(listedVersions).joined(separator: ", ")
                : versions.joined(separator: ", ")
            return RuntimeError(
                "no wheel of '\(name)' for \(target) satisfies '\(requirement)' (versions with such a wheel: "
                    + "\(shown)); Keel installs wheels only")
        }
        let evidence = Evidence(log: log, project: name)
        if let unreachable = evidence.unreachable {
            return RuntimeError("pip could not reach the package index for '\(name)': \(unreachable)")
        }
        switch (evidence.sourceOnly, evidence.otherWheels) {
        case (true, false):
            return RuntimeError(
                "package '\(name)' has no wheel for \(target) (only a source distribution); Keel installs wheels only")
        case (false, true):
            return RuntimeError(
                "package '\(name)' has no wheel for \(target) (only wheels for other platforms or Python versions); "
                    + "Keel installs wheels only")
        case (true, true):
            return RuntimeError(
                "package '\(name)' has no wheel for \(target) (only a source distribution and wheels for other "
                    + "platforms or Python versions); Keel installs wheels only")
        case (false, false) where evidence.projectMissing || !evidence.sawLinks:
            return RuntimeError(
                "package '\(name)' does not exist on the package index pip uses (pip found no release of it)")
        case (false, false):
            return RuntimeError(
                "package '\(name)' has no wheel for \(target) (only a source distribution?); Keel installs wheels only")
        }
    }

    /// The project name at the start of a requirement (`charset-normalizer<4,>=2` →
    /// `charset-normalizer`).
    static func projectName(of requirement: String) -> String {
        let name = requirement.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        return name.isEmpty ? requirement : String(name)
    }

    /// What pip's log says about one project's links.
    private struct Evidence {
        /// A link to a source distribution was skipped because only wheels were allowed.
        var sourceOnly = false
        /// A wheel was skipped for its tags or its Requires-Python.
        var otherWheels = false
        /// The index answered 404 for the project's page.
        var projectMissing = false
        /// Any link of the project was looked at.
        var sawLinks = false
        /// Why the index could not be read, when it could not.
        var unreachable: String?

        init(log: [String], project: String) {
            let wanted = WheelFileName.normalize(project)
            var current: String?
            let sectionMarker = "location(s) to search for versions of "
            for line in log {
                if let range = line.range(of: sectionMarker) {
                    current = WheelFileName.normalize(String(line[range.upperBound...].trimmingSuffix(":")))
                    continue
                }
                if let range = line.range(of: "No sources permitted for ") {
                    let named = line[range.upperBound...].prefix { $0 != ":" }
                    if WheelFileName.normalize(String(named)) == wanted {
                        sourceOnly = true
                        sawLinks = true
                    }
                    continue
                }
                guard current == wanted else { continue }
                if line.contains("Skipping link: none of the wheel's tags")
                    || (line.contains("Skipping link:") && line.contains("requires a different Python"))
                {
                    otherWheels = true
                    sawLinks = true
                } else if let range = line.range(of: "Could not fetch URL ") {
                    let reason = line[range.upperBound...].drop { $0 != " " }.drop { $0 == " " }
                    if reason.hasPrefix("404") {
                        projectMissing = true
                    } else if unreachable == nil {
                        unreachable = String(reason.trimmingSuffix(" - skipping").prefix(240))
                    }
                }
            }
        }
    }
}

extension Substring {
    /// The text without `suffix` at its end, if it ends so.
    fileprivate func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : self
    }
}

extension String {
    /// The text without `suffix` at its end, if it ends so.
    fileprivate func trimmingSuffix(_ suffix: String) -> Substring {
        Substring(self).trimmingSuffix(suffix)
    }
}
