import ArgumentParser
import Foundation
import KeelLedger

/// `keel ledger prove`.
struct LedgerProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print an inclusion proof of an entry against the latest checkpoint (JSON, stdout only).",
        discussion: """
            One sequence number: the proof as pretty JSON. Several: one proof per line (JSON Lines),             in the order given. Check a proof anywhere with `keel ledger check-proof FILE --key KEY`.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The entries' sequence numbers.")
    var sequences: [UInt64]

    func validate() throws {
        guard !sequences.isEmpty else { throw ValidationError("give at least one sequence number") }
    }

    func run() throws {
        let snapshot = try ledger.snapshot()
        for sequence in sequences {
            let proof = try ledgerOperation { try InclusionProof.make(sequence: sequence, in: snapshot) }
            print(ProofJSON.render(proof).rendered(pretty: sequences.count == 1))
        }
    }
}

/// `keel ledger consistency`.
struct LedgerConsistency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Print a proof that the first OLD_SIZE entries are a prefix of the first NEW_SIZE (JSON).",
        discussion: """
            Uses the stored checkpoints of those sizes; for a size without one, signs a fresh \
            checkpoint (which needs the secret key).
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The older tree size.")
    var oldSize: UInt64

    @Argument(help: "The newer tree size.")
    var newSize: UInt64

    func validate() throws {
        guard oldSize <= newSize else { throw ValidationError("OLD_SIZE must not exceed NEW_SIZE") }
    }

    func run() throws {
        let snapshot = try ledger.snapshot()
        let proof = try ledgerOperation {
            let key = try? LedgerKeyFiles.secretKey(in: ledger.directory)
            return try ConsistencyProof.make(oldSize: oldSize, newSize: newSize, in: snapshot, key: key ?? nil)
        }
        print(ProofJSON.render(proof).rendered())
    }
}

/// `keel ledger check-proof`.
struct LedgerCheckProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Check an inclusion or consistency proof offline against a trusted key.",
        discussion: """
            The key is ROOT/ledger/public.key or the one given with --key, never one carried in the \
            proof. Exit 0 and one line when it holds, 1 with the reason when it does not.
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The proof file ('-' for stdin).")
    var file: String

    @Option(help: "Trust this public key file (name:base64).")
    var key: String?

    func run() throws {
        let trusted = try ledger.trustedKey(key)
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = Data(try TextFile.read(file).utf8)
        }
        let decoder = JSONDecoder()
        let problem: String?
        let summary: String
        if let proof = try? decoder.decode(InclusionProof.self, from: data), proof.type == InclusionProof.typeName {
            problem = proof.problem(trusting: trusted)
            summary =
                "entry \(proof.entry.sequence) (\(proof.entry.kind) \(proof.entry.subject)) is in the ledger of "
                + "\(proof.treeSize) entries signed by \(proof.checkpoint.keyName)"
        } else if let proof = try? decoder.decode(ConsistencyProof.self, from: data),
            proof.type == ConsistencyProof.typeName
        {
            problem = proof.problem(trusting: trusted)
            summary = "the ledger of \(proof.old.size) entries is a prefix of the ledger of \(proof.new.size) entries"
        } else {
            throw CLIError("\(file): not a keel ledger inclusion or consistency proof")
        }
        if let problem { throw CLIError("the proof does not hold: \(problem)") }
        print("ok: \(summary)")
    }
}

/// Proofs as JSON, fields in a fixed order (what docs/ledger-format.md shows).
enum ProofJSON {
    static func render(_ proof: InclusionProof) -> JSONValue {
        .object([
            ("type", .string(proof.type)),
            ("entry", render(proof.entry)),
            ("treeSize", .number(Int64(proof.treeSize))),
            ("path", .array(proof.path.map { .string($0.hex) })),
            ("checkpoint", render(proof.checkpoint)),
        ])
    }

    static func render(_ proof: ConsistencyProof) -> JSONValue {
        .object([
            ("type", .string(proof.type)),
            ("old", render(proof.old)),
            ("new", render(proof.new)),
            ("path", .array(proof.path.map { .string($0.hex) })),
        ])
    }

    static func render(_ entry: LedgerEntry) -> JSONValue {
        .object([
            ("sequence", .number(Int64(entry.sequence))),
            ("time", .number(entry.time)),
            ("actor", .string(entry.actor)),
            ("kind", .string(entry.kind)),
            ("subject", .string(entry.subject)),
            ("details", .string(entry.details)),
            ("previousHash", .string(entry.previousHash.hex)),
        ])
    }

    static func render(_ checkpoint: Checkpoint) -> JSONValue {
        .object([
            ("size", .number(Int64(checkpoint.size))),
            ("root", .string(checkpoint.root.hex)),
            ("time", .number(checkpoint.time)),
            ("offset", .number(Int64(checkpoint.offset))),
            ("signature", .string(checkpoint.signature)),
        ])
    }
}
