import GRDB

/// A row of `ValidPaths`.
struct ValidPathRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "ValidPaths"

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

/// A row of `Refs`.
struct ReferenceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "Refs"

    var referrer: Int64
    var reference: Int64
}
