import Foundation
import KeelCache
import KeelFormats
import KeelStore

/// `keel copy --from file://…|http(s)://…`: the closures of store paths from a binary cache
/// into the local store, every narinfo signed by a trusted key and every NAR checked.
enum CopyFromCache {
    static func run(_ command: CopyCommand, from url: String) throws {
        let keys = try trustedKeys(command.trustedPublicKeys)
        let local = try command.store.open()
        let directory = local.layout.storeDirectory
        let paths = try command.selection.paths.map { text in
            do { return try directory.parse(text) } catch {
                throw CLIError("'\(text)' is not a store path of '\(directory.path)': \(error)")
            }
        }
        let substituter: Substituter
        do {
            substituter = try Substituter(
                urls: [url], storeDirectory: directory, trustedKeys: keys, jobs: command.jobs,
                timeout: .seconds(command.timeout))
        } catch {
            throw CLIError(error.message, status: .usage)
        }
        defer { substituter.close() }
        let progress = TransferProgressLine(enabled: !command.json && isatty(STDERR_FILENO) == 1, verb: "fetched")
        let started = Date()
        let outcome: SubstitutionOutcome
        do { outcome = try substituter.substitute(paths, into: local, progress: progress.report) } catch {
            progress.clear()
            throw CLIError(error.message)
        }
        progress.clear()
        // With one cache, a failure's line already says why the cache was skipped.
        if outcome.succeeded {
            for warning in outcome.warnings { StandardErrorLine.write("keel: warning: \(warning)") }
        }
        if command.json {
            print(try JSONOutput.render(CopyFromCacheSummary(outcome, from: url, in: local)))
        } else if outcome.succeeded || !outcome.fetched.isEmpty {
            let seconds = max(Date().timeIntervalSince(started), 0.001)
            print(
                "copied \(outcome.fetched.count) paths from \(url) (\(ByteCount(outcome.narBytes)) NAR, "
                    + "\(ByteCount(outcome.downloadedBytes)) downloaded in "
                    + "\(String(format: "%.1f", seconds)) s)")
        }
        if let first = outcome.failures.first {
            let more = outcome.failures.count > 1 ? " (and \(outcome.failures.count - 1) more paths)" : ""
            throw CLIError(first.reason + more)
        }
    }

    /// The keys given with --trusted-public-keys, each value split on spaces as in nix.conf.
    private static func trustedKeys(_ values: [String]) throws -> [SigningPublicKey] {
        try values.flatMap { $0.split(whereSeparator: \.isWhitespace) }.map { text in
            do { return try SigningPublicKey(parsing: String(text)) } catch {
                throw CLIError("invalid trusted public key '\(text)': \(error)", status: .usage)
            }
        }
    }
}
