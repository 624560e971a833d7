#if canImport(Glibc)
    import Glibc
#endif

/// The entry names a profile called `name` owns in its directory, spelled as Nix spells them
/// (`name`, `name-N-link`, `name.lock`), plus Keel's metadata directory and temporary names.
///
/// Temporary names start with a dot, so Nix's generation parser (which wants `name-` first)
/// never takes one for a generation, and carry the creating process's id, so a process holding
/// the lock can tell another's leftovers from its own.
struct ProfileNames: Sendable {
    /// The profile's own name (`system`).
    let name: String

    /// The profile link.
    var profileLink: [UInt8] { Array(name.utf8) }
    /// The lock file, the one `nix-env` takes for this profile.
    var lockFile: [UInt8] { Array("\(name).lock".utf8) }
    /// The directory of generation records.
    var recordsDirectory: [UInt8] { Array(".\(name)-generations".utf8) }

    /// The link of generation `number`.
    func generationLink(_ number: Int) -> [UInt8] { Array("\(name)-\(number)-link".utf8) }

    /// The record file of generation `number`, in the records directory.
    static func recordFile(_ number: Int) -> [UInt8] { Array("\(number).json".utf8) }

    /// The generation number `entry` names when it is `name-N-link` with `N` in plain decimal
    /// (no sign, no leading zero); nil for any other name.
    func generationNumber(of entry: [UInt8]) -> Int? {
        let prefix = Array("\(name)-".utf8)
        let suffix = Array("-link".utf8)
        guard entry.count > prefix.count + suffix.count, entry.starts(with: prefix),
            entry.suffix(suffix.count).elementsEqual(suffix)
        else { return nil }
        let digits = entry[prefix.count..<(entry.count - suffix.count)]
        guard digits.count <= 18, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            digits.first != UInt8(ascii: "0") || digits.count == 1
        else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// A fresh temporary name for a link in the profile directory.
    var temporaryLink: [UInt8] { Array("\(temporaryLinkPrefix)\(getpid())-\(UInt64.random(in: 0...UInt64.max))".utf8) }

    /// A fresh temporary name for a record in the records directory.
    static var temporaryRecord: [UInt8] {
        Array("\(temporaryRecordPrefix)\(getpid())-\(UInt64.random(in: 0...UInt64.max))".utf8)
    }

    /// The process that made the temporary link `entry`, or nil when `entry` is not one.
    func temporaryLinkOwner(_ entry: [UInt8]) -> Int32? {
        Self.owner(of: entry, prefix: temporaryLinkPrefix)
    }

    /// The process that made the temporary record `entry`, or nil when `entry` is not one.
    static func temporaryRecordOwner(_ entry: [UInt8]) -> Int32? {
        owner(of: entry, prefix: temporaryRecordPrefix)
    }

    private var temporaryLinkPrefix: String { ".\(name)-keel-" }
    private static let temporaryRecordPrefix = ".keel-"

    /// The pid in `PREFIX<pid>-<random>`.
    private static func owner(of entry: [UInt8], prefix: String) -> Int32? {
        let prefixBytes = Array(prefix.utf8)
        guard entry.starts(with: prefixBytes) else { return nil }
        let rest = entry.dropFirst(prefixBytes.count).split(
            separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard rest.count == 2, let pid = Int32(String(decoding: rest[0], as: UTF8.self)),
            UInt64(String(decoding: rest[1], as: UTF8.self)) != nil
        else { return nil }
        return pid
    }
}
