import GRDB
import KeelFormats

extension LocalStore {
    /// What the store knows about every valid path that `paths` reach through references,
    /// `paths` included, ordered by base name: `closure(of:)` then `infos(of:)`, in one read.
    ///
    /// Each path is parsed once and references are resolved by row ID, so a closure of
    /// hundreds of paths costs a few milliseconds (image builds and cache pushes start with one).
    ///
    /// - Throws: `StoreError.Code.notValid` naming a path of `paths` that is not valid.
    public func closureInfos(of paths: [StorePath]) throws(StoreError) -> [PathInfo] {
        let closure = """
            WITH RECURSIVE closure(id) AS (
                SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))
                UNION
                SELECT r.reference FROM Refs r JOIN closure c ON r.referrer = c.id
            )
            """
        let start = JSONArgument.array(paths.map(fullPath))
        let (records, references): ([ValidPathRecord], [(referrer: Int64, reference: Int64)]) = try read { db in
            var records: [ValidPathRecord] = []
            let recordRows = try Row.fetchCursor(
                db, sql: closure + " SELECT \(ValidPathRecord.columns) FROM ValidPaths WHERE id IN closure",
                arguments: [start])
            // By position, in the order of `ValidPathRecord.columns`: no lookup by column name.
            while let row = try recordRows.next() {
                records.append(
                    ValidPathRecord(
                        id: row[0], path: row[1], hash: row[2], registrationTime: row[3], deriver: row[4],
                        narSize: row[5], ultimate: row[6], sigs: row[7], ca: row[8]))
            }
            // The references of the rows just read (by ID, the closure is not walked again).
            let ids = "[" + records.compactMap { $0.id.map { String($0) } }.joined(separator: ",") + "]"
            var references: [(referrer: Int64, reference: Int64)] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT referrer, reference FROM Refs WHERE referrer IN (SELECT value FROM json_each(?))",
                arguments: [ids])
            while let row = try rows.next() { references.append((row[0], row[1])) }
            return (records, references)
        }
        var pathsByID: [Int64: StorePath] = [:]
        pathsByID.reserveCapacity(records.count)
        for record in records {
            guard let id = record.id, let path = try? layout.storeDirectory.parse(record.path) else {
                throw StoreError(.database, "corrupt database path '\(record.path)'")
            }
            pathsByID[id] = path
        }
        var referencesByID: [Int64: [StorePath]] = [:]
        for (referrer, reference) in references {
            // The closure holds every reference of its members.
            guard let path = pathsByID[reference] else {
                throw StoreError(.database, "a reference of '\(pathsByID[referrer].map(fullPath) ?? "?")' is not valid")
            }
            referencesByID[referrer, default: []].append(path)
        }
        let infos = try records.map { record throws(StoreError) in
            // Both looked up above: the IDs and paths of these same records.
            let id = record.id ?? 0
            return try pathInfo(record, path: pathsByID[id], references: (referencesByID[id] ?? []).sorted())
        }
        let found = Set(pathsByID.values)
        for path in paths where !found.contains(path) {
            throw StoreError(.notValid, "path '\(fullPath(path))' is not valid")
        }
        return infos.sorted { $0.path < $1.path }
    }
}
