import Foundation
import KeelBuild
import KeelFileTree
import KeelFormats
import KeelLinux
import KeelRuntime
import KeelStore

/// Makes a `SystemPlan` real in the store: adds source trees, writes derivations, builds what is
/// missing, unpacks fetched archives, and finally adds the system path. Each path is checked
/// against the plan, so what is registered is what evaluation promised. The caller holds the
/// store's collection lock until the generation that roots the result exists.
public struct SystemRealiser {
    /// The store.
    public let store: LocalStore
    /// The scheduler that builds derivations (its cancellation stops the realisation).
    public let scheduler: BuildScheduler
    /// Told what is being done, one line at a time (sources added, archives unpacked).
    public let progress: @Sendable (String) -> Void
    /// Downloads runtimes' .debs (counts them).
    public let debFetcher: DebFetcher
    /// pip's download cache, shared with `keel lock` (default `RuntimeCache.wheels`).
    public let wheelCache: String
    /// Asked for the system path, then for each missing package path, before anything is built
    /// or fetched (nil: everything is realised here).
    public let substitution: (any PathSubstitution)?

    /// A realiser building into `store` with `scheduler`.
    public init(
        store: LocalStore, scheduler: BuildScheduler, debFetcher: DebFetcher = DebFetcher(), wheelCache: String? = nil,
        substitution: (any PathSubstitution)? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.substitution = substitution
        self.store = store
        self.scheduler = scheduler
        self.debFetcher = debFetcher
        self.wheelCache = wheelCache ?? RuntimeCache.wheels
        self.progress = progress
    }

    /// What a realisation did.
    public struct Outcome: Sendable {
        /// The system path, now valid.
        public let systemPath: StorePath
        /// The derivations that were built (not just found valid).
        public let built: [StorePath]
        /// Whether the system path was valid before (nothing had to be done).
        public let wasValid: Bool
    }

    /// Realises `plan`.
    ///
    /// - Throws: `BuildError` when a build fails or is cancelled; `EvaluationError` when a path
    ///   differs from the plan or cannot be added; `StoreError` from the store.
    public func realise(_ plan: SystemPlan) throws -> Outcome {
        if try store.isValid(plan.systemPath) {
            return Outcome(systemPath: plan.systemPath, built: [], wasValid: true)
        }
        if let substitution {
            substitution.substitute([plan.systemPath])
            if try store.isValid(plan.systemPath) {
                return Outcome(systemPath: plan.systemPath, built: [], wasValid: false)
            }
            var missing: [StorePath] = []
            for package in plan.packages where try !store.isValid(package.path) { missing.append(package.path) }
            if !missing.isEmpty { substitution.substitute(missing) }
        }
        let built = try realise(packages: plan.packages)
        let system = try store.addNAR(
            from: ArrayByteSource(plan.systemNAR), name: plan.systemPath.name, references: plan.references)
        try expect(system, plan.systemPath, what: "the system path")
        return Outcome(systemPath: system, built: built, wasValid: false)
    }

    /// Realises `packages` (each after those it uses, as a plan orders them) without the system
    /// path; returns the derivations that were built.
    ///
    /// - Throws: as `realise(_:)`.
    public func realise(packages: [PackagePlan]) throws -> [StorePath] {
        var toBuild: [StorePath] = []
        var built: [StorePath] = []
        for package in packages {
            switch package.recipe {
            case .source(let directory):
                if try store.isValid(package.path) { continue }
                progress("adding source '\(package.name)' from '\(directory)'")
                let added = try store.add(directory, name: package.name, filter: SourceHashing.filter)
                try expect(added, package.path, what: "package '\(package.name)' (its source changed while keel ran?)")
            case .derivation(let derivation):
                try write(derivation)
                if try !store.isValid(package.path) { toBuild.append(derivation.drvPath) }
            case .unpackedFetch(let archive):
                try write(archive)
                if try store.isValid(package.path) { continue }
                let results = try scheduler.build([archive.drvPath])
                built += results.filter(\.built).map(\.derivation)
                try unpack(archive.output, as: package)
            case .nixDerivation(let file, let drvPath, _):
                let imported: StorePath
                do { imported = try DerivationImporter(store: store).importFile(file) } catch {
                    throw EvaluationError("package '\(package.name)': \(error.message)")
                }
                try expect(imported, drvPath, what: "the derivation of package '\(package.name)'")
                if try !store.isValid(package.path) { toBuild.append(drvPath) }
            case .runtime(let runtime):
                built += try RuntimeRealiser(
                    store: store, debFetcher: debFetcher, wheelCache: wheelCache, progress: progress
                ).realise(runtime)
            }
        }
        if !toBuild.isEmpty {
            built += try scheduler.build(toBuild).filter(\.built).map(\.derivation)
        }
        for package in packages where try !store.isValid(package.path) {
            throw EvaluationError("package '\(package.name)': '\(store.fullPath(package.path))' was not produced")
        }
        return built
    }

    /// Adds a derivation Keel wrote to the store (nothing is written when it is there).
    private func write(_ derivation: DerivationPlan) throws {
        let added = try store.addText(
            name: derivation.name + ".drv", contents: derivation.text, references: derivation.references)
        try expect(added, derivation.drvPath, what: "the derivation of '\(derivation.name)'")
    }

    /// Unpacks the archive at `archive` and adds the tree as `package`'s path, which must be
    /// the one keel.lock's nar_hash names.
    private func unpack(_ archive: StorePath, as package: PackagePlan) throws {
        progress("unpacking '\(store.fullPath(archive))' for package '\(package.name)'")
        let scratch: String
        do { scratch = try FileSystem.makeTemporaryDirectory(in: NSTemporaryDirectory(), prefix: "keel-unpack") } catch
        {
            throw EvaluationError("cannot create a temporary directory: \(error.reason)")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tree = scratch + "/tree"
        let narHash = try InputHashing.unpackedHash(archive: store.fullPath(archive), into: tree)
        let computer = StorePathComputer(storeDirectory: store.layout.storeDirectory)
        guard let parsed = try? NixHash(parsing: narHash),
            (try? computer.sourcePath(narHash: parsed, name: package.name)) == package.path
        else {
            throw EvaluationError(
                "package '\(package.name)': the unpacked archive hashes to \(narHash), not to what keel.lock's nar_hash "
                    + "gives ('\(store.fullPath(package.path))'); nothing was added; run keel lock")
        }
        try expect(try store.add(tree, name: package.name), package.path, what: "package '\(package.name)'")
    }

    private func expect(_ actual: StorePath, _ planned: StorePath, what: String) throws(EvaluationError) {
        guard actual == planned else {
            throw EvaluationError(
                "\(what) is '\(store.fullPath(actual))', not '\(store.fullPath(planned))' as evaluated")
        }
    }
}
