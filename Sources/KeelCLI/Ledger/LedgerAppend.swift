import ArgumentParser
import Foundation
import KeelLedger

/// `keel ledger append`.
struct LedgerAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append entries to the ledger (for scripts and tests).",
        discussion: """
            One entry: --kind and --subject (and optionally --details, a JSON object); prints its \
            sequence number. Many: --jsonl FILE (or - for stdin), one JSON object per line with \
            "kind", "subject" and optionally "details"; every line is checked before anything is \
            appended, then they are committed in batches; prints the first and last sequence numbers. \
            The entries are on disk when the command returns, and a signed checkpoint covers them.
            """
    )

    /// Entries per commit (one `fdatasync` round) for --jsonl.
    static let batchSize = 1024

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "The kind of change: lower-case letters, digits, '.', '-', '_' (the 'ledger.' prefix is keel's).")
    var kind: String?

    @Option(help: "What the entry is about.")
    var subject: String?

    @Option(help: "A JSON object with details (default {}).")
    var details: String?

    @Option(help: "Append one entry per line of this JSON Lines file ('-' for stdin).")
    var jsonl: String?

    @Flag(help: "Print the appended entry (or the first and last) as JSON.")
    var json = false

    func validate() throws {
        if jsonl != nil {
            guard kind == nil, subject == nil, details == nil else {
                throw ValidationError("--jsonl cannot be combined with --kind, --subject or --details")
            }
        } else {
            guard kind != nil, subject != nil else {
                throw ValidationError("give --kind and --subject, or --jsonl FILE")
            }
        }
    }

    func run() throws {
        let drafts: [LedgerDraft]
        if let jsonl {
            drafts = try JSONLinesDrafts.read(jsonl, actor: LedgerActor.current)
        } else {
            drafts = [try JSONLinesDrafts.draft(kind: kind!, subject: subject!, details: details, where: "")]
        }
        guard !drafts.isEmpty else { throw CLIError("\(jsonl ?? "-"): no entries to append") }
        let writer = try ledger.writer()
        var first: LedgerEntry?
        var last: LedgerEntry?
        try ledgerOperation { () throws(LedgerError) in
            var start = 0
            while start < drafts.count {
                let end = min(start + Self.batchSize, drafts.count)
                let entries = try writer.append(Array(drafts[start..<end]))
                if first == nil { first = entries.first }
                last = entries.last
                start = end
            }
            try writer.close()
        }
        guard let first, let last else { return }
        if json {
            print(
                jsonl == nil ? LedgerRendering.json(first) : #"{"first":\#(first.sequence),"last":\#(last.sequence)}"#)
        } else {
            print(jsonl == nil ? "\(first.sequence)" : "\(first.sequence) \(last.sequence)")
        }
    }
}

/// Turning command-line fields and JSON Lines into drafts, with errors that say where.
enum JSONLinesDrafts {
    /// One draft, checked.
    static func draft(kind: String, subject: String, details: String?, where place: String) throws -> LedgerDraft {
        try draft(
            kind: kind, subject: subject, canonicalDetails: canonical(details ?? "{}", where: place), where: place)
    }

    private static func draft(kind: String, subject: String, canonicalDetails: String, where place: String) throws
        -> LedgerDraft
    {
        guard LedgerKind.isWellFormed(kind) else {
            throw CLIError(
                "\(place)invalid kind '\(kind)': use 1-64 lower-case letters, digits, '.', '-' or '_', starting with a letter"
            )
        }
        guard !LedgerKind.isReserved(kind) else { throw CLIError("\(place)kind '\(kind)' is reserved for keel") }
        return LedgerDraft(actor: LedgerActor.current, kind: kind, subject: subject, details: canonicalDetails)
    }

    private static func canonical(_ text: String, where place: String) throws -> String {
        do { return try LedgerDetails.canonical(text) } catch { throw CLIError("\(place)\(error)") }
    }

    /// Every line of a JSON Lines file (or stdin for `-`), checked before any is returned.
    static func read(_ path: String, actor: String) throws -> [LedgerDraft] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = Data(try UserFile.read(path))
        }
        var drafts: [LedgerDraft] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            let place = "\(path == "-" ? "stdin" : path):\(lineNumber): "
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw CLIError("\(place)not a JSON object")
            }
            guard let kind = object["kind"] as? String, let subject = object["subject"] as? String else {
                throw CLIError("\(place)\"kind\" and \"subject\" must be strings")
            }
            let details: String
            do { details = try LedgerDetails.canonical(object["details"] ?? [String: Any]()) } catch {
                throw CLIError("\(place)\(error)")
            }
            drafts.append(try draft(kind: kind, subject: subject, canonicalDetails: details, where: place))
        }
        return drafts
    }
}
