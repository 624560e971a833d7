import ArgumentParser
import Foundation
import KeelFormats
import KeelLedger
import KeelSystem

/// `--root`, shared by the ledger commands.
struct LedgerOptions: ParsableArguments {
    @Option(help: "The state root (default: /var/lib/keel as root, else $XDG_STATE_HOME/keel).")
    var root: String?

    /// The ledger directory, ROOT/ledger.
    var directory: LedgerDirectory { LedgerDirectory(root: StateRoot.resolve(root)) }

    /// Opens the ledger for appending.
    func writer() throws -> LedgerWriter {
        try ledgerOperation { () throws(LedgerError) in try LedgerWriter(directory: directory) }
    }

    /// Takes a reader's view of the ledger.
    func snapshot() throws -> LedgerSnapshot {
        try ledgerOperation { () throws(LedgerError) in try LedgerSnapshot(directory: directory) }
    }

    /// The key to trust: the file given, else ROOT/ledger/public.key.
    func trustedKey(_ path: String?) throws -> SigningPublicKey {
        let file = path ?? directory.publicKeyPath
        guard FileManager.default.fileExists(atPath: file) else {
            throw CLIError(
                path == nil
                    ? "the ledger has no public key yet (\(file)); pass --key FILE" : "no such key file: \(file)")
        }
        do { return try SigningPublicKey(parsing: try TextFile.read(file)) } catch let error as SigningKeyError {
            throw CLIError("\(file): \(error)")
        }
    }
}

/// Who is running this command, for the ledger: `user:NAME(UID)`.
enum LedgerActor {
    static var current: String { SystemLedger.actor }
}

/// Runs a ledger operation, turning its errors into one-line CLI errors.
func ledgerOperation<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
    do throws(E) { return try body() } catch {
        if let error = error as? LedgerError { throw CLIError(error.description) }
        throw error
    }
}

/// Renders ledger values for people and for `--json`.
enum LedgerRendering {
    /// RFC 3339 UTC with microseconds.
    static func time(_ micros: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let base = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return base.dropLast() + "." + String(format: "%06lld", fraction) + "Z"
    }

    /// One entry as a JSON line: the stored fields, the time also in RFC 3339, details inline.
    static func json(_ entry: LedgerEntry) -> String {
        let fields = JSONValue.object([
            ("sequence", .number(Int64(entry.sequence))),
            ("time", .string(time(entry.time))),
            ("timeMicros", .number(entry.time)),
            ("actor", .string(entry.actor)),
            ("kind", .string(entry.kind)),
            ("subject", .string(entry.subject)),
            ("details", .raw(entry.details)),
            ("previousHash", .string(entry.previousHash.hex)),
            ("hash", .string(entry.hash.hex)),
        ])
        return fields.rendered(pretty: false)
    }

    /// One entry as a line of text.
    static func text(_ entry: LedgerEntry) -> String {
        "\(entry.sequence)\t\(time(entry.time))\t\(entry.actor)\t\(entry.kind)\t\(entry.subject)\t\(entry.details)"
    }
}
