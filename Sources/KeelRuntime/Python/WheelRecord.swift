/// A wheel's `.dist-info/RECORD`: for each file the wheel holds, its hash and size, as the
/// fields were written (pip copies them unchanged into the installed RECORD).
struct WheelRecord {
    /// One file's line.
    struct Entry: Equatable {
        /// The hash field as written (empty only for RECORD itself and its signatures).
        let hashField: String
        /// The size field as written.
        let sizeField: String
        /// The parsed hash; nil when the field is empty.
        let digest: RecordDigest?
        /// The parsed size; nil when the field is empty.
        let size: UInt64?
    }

    /// The entries by path (as the archive spells it).
    let entries: [String: Entry]

    /// Parses the RECORD text of the wheel `wheel`.
    ///
    /// - Throws: `RuntimeError` naming the wheel for a malformed line, a repeated path, a size
    ///   that is not a number, or an unaccepted hash.
    init(parsing text: String, wheel: String) throws(RuntimeError) {
        let what = "wheel \(wheel): RECORD"
        var entries: [String: Entry] = [:]
        for (index, row) in try RecordCSV.rows(of: text, what: what).enumerated() {
            guard row.count == 3 else {
                throw RuntimeError("\(what): line \(index + 1) has \(row.count) fields, not 3 (path, hash, size)")
            }
            let path = row[0]
            let about = "\(what) line for '\(path)'"
            guard !path.isEmpty else { throw RuntimeError("\(what): line \(index + 1) has an empty path") }
            guard entries[path] == nil else { throw RuntimeError("\(what): '\(path)' is listed twice") }
            let digest = row[1].isEmpty ? nil : try RecordDigest(parsing: row[1], what: about)
            var size: UInt64?
            if !row[2].isEmpty {
                guard let parsed = UInt64(row[2]) else {
                    throw RuntimeError("\(about): the size '\(row[2])' is not a number")
                }
                size = parsed
            }
            entries[path] = Entry(hashField: row[1], sizeField: row[2], digest: digest, size: size)
        }
        self.entries = entries
    }
}
