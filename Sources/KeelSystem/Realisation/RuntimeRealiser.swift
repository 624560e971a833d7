import Foundation
import KeelArchive
import KeelBuild
import KeelConfig
import KeelFormats
import KeelLinux
import KeelRuntime
import KeelStore
import Synchronization

/// Makes a `RuntimePlan` real, in-process: each pinned file is put in the store as its
/// fixed-output path (downloaded by the host's apt-get or pip unless it is there, and checked
/// against its SHA-256 either way), unpacked or installed into its derivation's output, and the
/// environment is assembled over them. The caller holds the store's collection lock.
struct RuntimeRealiser: Sendable {
    let store: LocalStore
    let debFetcher: DebFetcher
    /// pip's download cache (shared with `keel lock`).
    let wheelCache: String
    let progress: @Sendable (String) -> Void

    /// Realises `plan`; returns the derivations it built. The derivations name the paths (their
    /// outputs are input-addressed) but are not written to the store: writing one would need
    /// the .deb or wheel it refers to in the store even when its output is there already.
    func realise(_ plan: RuntimePlan) throws -> [StorePath] {
        if try store.isValid(plan.environment.output) { return [] }
        let missing = try plan.parts.filter { part in try !store.isValid(part.derivation.output) }
        // Parts are independent: they are fetched and unpacked on a few threads, then registered
        // together, so their trees are made durable in one pass (one syncfs, not one per part).
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let downloaded = try downloadDebs(of: missing, into: scratch + "/downloads")
        let made = Mutex<[BuiltPath]>([])
        let queue = WorkQueue<RuntimePlan.Part, any Error>(
            threads: min(missing.count, max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)))
        ) { part in
            let built = try make(part, in: plan, scratch: scratch, downloaded: downloaded)
            made.withLock { $0.append(built) }
        }
        for part in missing { queue.submit(part) }
        try queue.finish()
        let locks = try store.lockPaths(missing.map(\.derivation.output))
        defer { for lock in locks { lock.release() } }
        try store.registerBuilt(made.withLock { $0 })
        var built = missing.map(\.derivation.drvPath)
        progress("assembling the environment of runtime '\(plan.name)'")
        try build(plan.environment, candidates: Set(plan.parts.map(\.derivation.output))) { tree throws in
            let parts = plan.parts.map { part -> RuntimeEnvironment.Part in
                let path = store.fullPath(part.derivation.output)
                switch part.source {
                case .deb: return .init(path: path, kind: .debian)
                case .wheel: return .init(path: path, kind: .wheel(pythonVersion: plan.pythonVersion ?? ""))
                }
            }
            try RuntimeEnvironment(name: plan.name).assemble(parts, into: tree)
        }
        built.append(plan.environment.drvPath)
        return built
    }

    /// The .debs of `parts` that are not in the store, fetched together (one apt-get run for
    /// all that the cache lacks), by SHA-256.
    private func downloadDebs(of parts: [RuntimePlan.Part], into directory: String) throws -> [String: String] {
        let pins = try parts.compactMap { part -> DebFetcher.Pin? in
            guard case .deb(let deb) = part.source, try !store.isValid(part.file) else { return nil }
            return DebFetcher.Pin(
                name: deb.name, version: deb.version, architecture: deb.architecture, sha256: deb.sha256)
        }
        guard !pins.isEmpty else { return [:] }
        progress(
            pins.count == 1
                ? "fetching 1 .deb" : "fetching \(pins.count) .debs (apt-get downloads what the cache lacks)")
        return try debFetcher.fetchAll(pins, into: directory)
    }

    /// Unpacks (a .deb) or installs (a wheel) one part under `scratch`; returns the tree, ready
    /// to register. `downloaded` holds the .debs fetched already, by SHA-256.
    private func make(_ part: RuntimePlan.Part, in plan: RuntimePlan, scratch: String, downloaded: [String: String])
        throws -> BuiltPath
    {
        let file = try fileInStore(part, plan: plan, downloaded: downloaded)
        let tree = scratch + "/" + part.derivation.output.baseName
        switch part.source {
        case .deb(let deb):
            progress("unpacking \(deb.name) \(deb.version)")
            do {
                try FileSystem.makeDirectories(tree, permissions: 0o755)
                let leaveOut = part.leaveOut
                try DebArchive(path: file).extractData(into: tree) { components in
                    DebianDocumentation.isLeftOut(components) || leaveOut.isLeftOut(components)
                }
            } catch {
                throw EvaluationError("\(deb.name) \(deb.version): cannot unpack '\(file)': \(error)")
            }
            try MergedUsr.apply(to: tree)
        case .wheel(let wheel):
            progress("installing \(wheel.file)")
            let version = plan.pythonVersion ?? ""
            // The installer reads the wheel's tags from its file name, which the store path
            // prefixes with its hash: it reads a link of the right name.
            let named = tree + ".wheel/" + wheel.file
            do {
                try FileSystem.makeDirectories(tree + ".wheel", permissions: 0o755)
                try FileManager.default.createSymbolicLink(atPath: named, withDestinationPath: file)
            } catch {
                throw EvaluationError("cannot name \(file) as \(wheel.file): \(error)")
            }
            let installer = WheelInstaller(
                interpreter: RuntimePlan.interpreter(pythonVersion: version), pythonVersion: version)
            _ = try installer.install(wheel: named, into: tree)
        }
        return try InProcessOutput.describe(
            location: tree, path: part.derivation.output, candidates: [], deriver: nil, contentAddress: nil)
    }

    /// The part's file in the store, added when missing (from `downloaded`, else fetched); a
    /// file already there is hashed again first, so a damaged one is never unpacked.
    private func fileInStore(
        _ part: RuntimePlan.Part, plan: RuntimePlan, downloaded alreadyDownloaded: [String: String]
    )
        throws -> String
    {
        let path = store.fullPath(part.file)
        if try store.isValid(part.file) {
            let actual = try FileDigest.sha256(ofFileAt: path)
            guard actual == part.sha256 else {
                throw EvaluationError(
                    "'\(path)' is damaged: its SHA-256 is \(actual), not \(part.sha256) as keel.lock pins; nothing was "
                        + "unpacked (run keel store verify --repair, or delete the path and build again)")
            }
            return path
        }
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let downloaded: String
        switch part.source {
        case .deb(let deb):
            // `downloadDebs` fetched every .deb the store lacked.
            guard let fetched = alreadyDownloaded[deb.sha256] else {
                throw EvaluationError("\(deb.name) \(deb.version): its .deb was neither in the store nor fetched")
            }
            downloaded = fetched
        case .wheel(let wheel):
            guard let version = plan.pythonVersion, let glibc = RuntimeLocker.glibcVersion(of: debs(of: plan)) else {
                throw EvaluationError("runtime '\(plan.name)': no interpreter to fetch \(wheel.file) for")
            }
            let target = try PipTarget(pythonVersion: version, glibc: glibc, machine: "x86_64")
            let cached = try WheelFetcher(cacheDirectory: wheelCache, target: target).fetch(
                WheelPin(name: wheel.name, version: wheel.version, fileName: wheel.file, sha256: wheel.sha256))
            downloaded = scratch + "/" + wheel.file
            do { try FileManager.default.copyItem(atPath: cached, toPath: downloaded) } catch {
                throw EvaluationError("cannot copy \(cached): \(error.localizedDescription)")
            }
        }
        guard let hash = try? NixHash(parsing: "sha256:" + part.sha256) else {
            throw EvaluationError("runtime '\(plan.name)': invalid sha256 \(part.sha256)")
        }
        let locks = try store.lockPaths([part.file])
        defer { for lock in locks { lock.release() } }
        let built = try InProcessOutput.describe(
            location: downloaded, path: part.file, candidates: [], deriver: nil,
            contentAddress: ContentAddress(method: .flat, hash: hash))
        try store.registerBuilt([built])
        return path
    }

    private func debs(of plan: RuntimePlan) -> [KeelConfig.RuntimeLock.Deb] {
        plan.parts.compactMap { part in
            if case .deb(let deb) = part.source { return deb }
            return nil
        }
    }

    /// Runs `make` on a fresh tree for `derivation`'s output and registers it.
    private func build(_ derivation: DerivationPlan, candidates: Set<StorePath>, _ make: (String) throws -> Void)
        throws
    {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tree = scratch + "/" + derivation.output.baseName
        try make(tree)
        let locks = try store.lockPaths([derivation.output])
        defer { for lock in locks { lock.release() } }
        let built = try InProcessOutput.describe(
            location: tree, path: derivation.output, candidates: candidates, deriver: nil, contentAddress: nil)
        try store.registerBuilt([built])
    }

    /// A new directory under `ROOT/builds`, on the store's file system (hard links, renames).
    private func scratchDirectory() throws -> String {
        let parent = store.layout.root + "/builds"
        do {
            try FileSystem.makeDirectories(parent)
            return try FileSystem.makeTemporaryDirectory(in: parent, prefix: "keel-runtime")
        } catch {
            throw EvaluationError("cannot create a directory under \(parent): \(error)")
        }
    }
}
