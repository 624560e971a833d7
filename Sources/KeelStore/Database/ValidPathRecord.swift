import GRDB

/// A row of `ValidPaths`.
///
/// Rows are read and written column by column rather than through `Codable`: decoding through
/// a `Decoder` costs runtime type lookups that, in a binary as big as keel, take longer than
/// the query itself.
struct ValidPathRecord: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "ValidPaths"
    /// Every column, in table order, for `SELECT`s.
    static let columns = "id, path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca"

    var id: Int64?
    var path: String
    var hash: String
    var registrationTime: Int64
    var deriver: String?
    var narSize: Int64?
    var ultimate: Int64?
    var sigs: String?
    var ca: String?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension ValidPathRecord {
    init(row: Row) throws {
        self.init(
            id: row["id"], path: row["path"], hash: row["hash"], registrationTime: row["registrationTime"],
            deriver: row["deriver"], narSize: row["narSize"], ultimate: row["ultimate"], sigs: row["sigs"],
            ca: row["ca"])
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["path"] = path
        container["hash"] = hash
        container["registrationTime"] = registrationTime
        container["deriver"] = deriver
        container["narSize"] = narSize
        container["ultimate"] = ultimate
        container["sigs"] = sigs
        container["ca"] = ca
    }

    /// The row of the valid path `path` (a full path), if any.
    static func find(_ path: String, in db: Database) throws -> ValidPathRecord? {
        try fetchOne(db, sql: "SELECT \(columns) FROM ValidPaths WHERE path = ?", arguments: [path])
    }
}

/// A row of `Refs`.
struct ReferenceRecord: PersistableRecord {
    static let databaseTableName = "Refs"

    var referrer: Int64
    var reference: Int64

    func encode(to container: inout PersistenceContainer) throws {
        container["referrer"] = referrer
        container["reference"] = reference
    }
}
