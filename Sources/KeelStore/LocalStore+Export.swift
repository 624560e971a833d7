import GRDB
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Orders `paths` so that every path comes after those of its references that are also in
    /// `paths`, as `nix-store --export` does: paths by base name, each preceded by its
    /// references (in base-name order), depth first.
    public func dependencyOrder(_ paths: [StorePath]) throws(StoreError) -> [StorePath] {
        let wanted = Set(paths)
        let references = try referencesAmong(wanted)
        var ordered: [StorePath] = []
        var done = Set<StorePath>()
        func visit(_ path: StorePath) {
            guard done.insert(path).inserted else { return }
            for reference in (references[path] ?? []).sorted() { visit(reference) }
            ordered.append(path)
        }
        for path in wanted.sorted() { visit(path) }
        return ordered
    }

    /// The references between `paths` (self-references left out), read in one query that
    /// touches only their rows, however big the store.
    func referencesAmong(_ paths: Set<StorePath>) throws(StoreError) -> [StorePath: [StorePath]] {
        let names = JSONArgument.array(paths.map(fullPath))
        let edges: [(String, String)] = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    WITH wanted(id, path) AS (
                        SELECT id, path FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))
                    )
                    SELECT a.path AS referrer, b.path AS reference FROM Refs r
                    JOIN wanted a ON a.id = r.referrer JOIN wanted b ON b.id = r.reference
                    WHERE r.referrer != r.reference
                    """,
                arguments: [names]
            ).map { ($0["referrer"], $0["reference"]) }
        }
        var references: [StorePath: [StorePath]] = [:]
        for (referrer, reference) in edges {
            guard let from = try? storePath(referrer), let to = try? storePath(reference) else { continue }
            references[from, default: []].append(to)
        }
        return references
    }

    /// Writes `paths` as a `nix-store --export` stream to `fd`, references first whatever the
    /// order given, so that `nix-store --import` accepts it.
    ///
    /// - Throws: `StoreError.Code.notValid` for a path that is not valid (before anything is
    ///   written), `.fileSystem` when reading or writing fails.
    public func export(_ paths: [StorePath], to fd: FileDescriptor) throws(StoreError) {
        let ordered = try dependencyOrder(paths)
        let infos = try ordered.map { path throws(StoreError) in try info(path) }
        func put(_ bytes: [UInt8]) throws(StoreError) {
            do { try bytes.withUnsafeBytes { try SystemCall.writeAll(fd.rawValue, $0) } } catch {
                throw StoreError(.fileSystem, "cannot write the export stream", cause: UnderlyingError(error))
            }
        }
        for info in infos {
            try put(ExportStream.pathStart)
            do { try TreeDumper.write(path: fullPath(info.path), to: fd) } catch {
                throw StoreError(.fileSystem, "cannot export '\(fullPath(info.path))'", cause: UnderlyingError(error))
            }
            let entry = ExportEntry(
                path: fullPath(info.path), references: info.references.map(fullPath),
                deriver: info.deriver.map(fullPath))
            try put(ExportStream.trailer(for: entry))
        }
        try put(ExportStream.end)
    }
}
