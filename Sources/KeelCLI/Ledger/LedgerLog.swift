import ArgumentParser
import Foundation
import KeelLedger
import KeelLinux

/// `keel ledger log`.
struct LedgerLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print ledger entries, oldest first.",
        discussion: """
            Text: one entry per line, tab-separated: sequence, time (RFC 3339, UTC), actor, kind, \
            subject, details. --json prints one JSON object per line with the stored fields and the \
            entry's hash. Each entry is checked (hash, sequence, link) as it is read.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(
        help: "Only entries at or after this time (RFC 3339, e.g. 2026-11-24T10:00:00Z, or seconds since the epoch).")
    var since: String?

    @Option(help: "Only entries of this kind.")
    var kind: String?

    @Option(help: "Only entries about this subject.")
    var subject: String?

    @Flag(help: "Print JSON Lines.")
    var json = false

    @Flag(name: .shortAndLong, help: "Keep printing entries as they are appended (until interrupted).")
    var follow = false

    func run() throws {
        let sinceMicros = try since.map(Self.parseTime)
        var next: UInt64 = 1
        let directory = ledger.directory
        var watcher: FileWatcher?
        while true {
            let snapshot = try ledger.snapshot()
            let outcome = try ledgerOperation {
                try snapshot.entries(from: next) { entry in
                    next = entry.sequence + 1
                    if let sinceMicros, entry.time < sinceMicros { return true }
                    if let kind, entry.kind != kind { return true }
                    if let subject, entry.subject != subject { return true }
                    print(json ? LedgerRendering.json(entry) : LedgerRendering.text(entry))
                    return true
                }
            }
            if case .tornTail(let after, _, _) = outcome, !follow {
                StandardStreams.writeError(
                    "keel: warning: the ledger ends in a torn record after entry \(after); the next writer will cut it off\n"
                )
            }
            guard follow else { return }
            StandardStreams.flushAll()
            if watcher == nil {
                do { watcher = try FileWatcher(path: directory.entriesPath) } catch {
                    throw CLIError("cannot watch \(directory.entriesPath): \(error)")
                }
                continue
            }
            do { try watcher?.waitForChange() } catch {
                throw CLIError("cannot watch \(directory.entriesPath): \(error)")
            }
        }
    }

    /// Microseconds since the epoch from RFC 3339 text or a number of seconds.
    static func parseTime(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64(seconds * 1_000_000) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
            }
        }
        throw CLIError(
            "--since: '\(text)' is not RFC 3339 time (2026-11-24T10:00:00Z), a date, or seconds", status: .usage)
    }
}
