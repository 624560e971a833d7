import Foundation
import KeelConfig
import KeelRuntime

/// Locks runtime packages: a Debian runtime's requests are resolved against the host's apt
/// lists into pinned .debs; a Python runtime's requirements are resolved by the host's pip for
/// its interpreter's version and glibc into pinned wheels. An entry whose requests did not
/// change is kept as it is (and so is keel.lock's text), without looking at lists or indexes.
struct RuntimeLocker {
    let configuration: HostConfiguration
    let progress: (String) -> Void
    /// Where pip's downloads are kept, so a build after the lock fetches nothing again.
    let wheelCache: String
    /// Where the apt lists are (the host's, normally).
    var listsDirectory = "/var/lib/apt/lists"

    /// The runtime entries of the new lock.
    func lock(from old: [String: RuntimeLock]) throws(EvaluationError) -> [String: RuntimeLock] {
        var new: [String: RuntimeLock] = [:]
        var resolved: Set<String> = []
        var index: DebianPackageIndex?
        for package in configuration.packages {
            guard case .debian(let debian) = package.kind else { continue }
            let requests = debian.requests.map(\.value)
            if let locked = old[package.name], locked.debian == requests, !locked.debs.isEmpty {
                new[package.name] = locked
                continue
            }
            progress("resolving the Debian packages of '\(package.name)' against the host's apt lists")
            do {
                if index == nil { index = try DebianPackageIndex.load(listsDirectory: listsDirectory) }
                guard let index else { continue }
                let pins = try DebianResolver(index: index).resolve(requests)
                new[package.name] = RuntimeLock(
                    debian: requests,
                    debs: pins.map {
                        RuntimeLock.Deb(
                            name: $0.name, version: $0.version, architecture: $0.architecture, sha256: $0.sha256)
                    })
                resolved.insert(package.name)
            } catch {
                throw EvaluationError("package '\(package.name)': \(error.message)")
            }
        }
        for package in configuration.packages {
            guard case .python(let python) = package.kind else { continue }
            let interpreter = python.interpreter.value
            if let locked = old[package.name], !resolved.contains(interpreter), locked.python == interpreter,
                locked.requirements == python.lines, !locked.wheels.isEmpty
            {
                new[package.name] = locked
                continue
            }
            guard let debs = new[interpreter]?.debs else {
                throw EvaluationError(
                    "package '\(package.name)': its interpreter '\(interpreter)' is not a Debian runtime")
            }
            guard let version = SystemEvaluator.pythonVersion(of: debs) else {
                throw EvaluationError(
                    "package '\(package.name)': its interpreter '\(interpreter)' has no python3.X-minimal package")
            }
            guard let glibc = Self.glibcVersion(of: debs) else {
                throw EvaluationError("package '\(package.name)': its interpreter '\(interpreter)' has no libc6")
            }
            progress("resolving the wheels of '\(package.name)' with pip for CPython \(version)")
            do {
                let target = try PipTarget(pythonVersion: version, glibc: glibc, machine: "x86_64")
                let fetcher = WheelFetcher(cacheDirectory: wheelCache, target: target)
                let pins = try WheelResolver(target: target, cache: fetcher).resolve(requirements: python.lines)
                new[package.name] = RuntimeLock(
                    python: interpreter, requirements: python.lines,
                    wheels: pins.map {
                        RuntimeLock.Wheel(name: $0.name, version: $0.version, file: $0.fileName, sha256: $0.sha256)
                    })
            } catch {
                throw EvaluationError("package '\(package.name)': \(error.message)")
            }
        }
        return new
    }

    /// glibc's (major, minor) from libc6's version ("2.36-9+deb12u10").
    static func glibcVersion(of debs: [RuntimeLock.Deb]) -> (major: Int, minor: Int)? {
        guard let libc = debs.first(where: { $0.name == "libc6" }) else { return nil }
        let upstream = libc.version.split(separator: ":").last?.split(separator: "-").first ?? ""
        let numbers = upstream.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1])
    }
}
