import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Reads agents' log tails on a worker thread of its own, so that file reads never block the
/// server's event loops or the cooperative pool.
final class AgentLogReader: Sendable {
    /// One read: what to read and where to deliver it.
    struct Job: Sendable {
        let agent: String
        let count: Int
        let reply: CheckedContinuation<Result<LogLinesView, APIError>, Never>
    }

    private let paths: DaemonPaths
    private let queue: WorkQueue<Job, Never>

    /// Starts the worker.
    init(paths: DaemonPaths) {
        self.paths = paths
        queue = WorkQueue(
            threads: 1,
            perform: { job in job.reply.resume(returning: Self.read(job, paths: paths)) },
            discard: { job in job.reply.resume(returning: .failure(.failed("the daemon is stopping"))) })
    }

    /// The last `count` lines of `agent`'s log.
    func lastLines(agent: String, count: Int) async throws(APIError) -> LogLinesView {
        let result = await withCheckedContinuation { reply in
            queue.submit(Job(agent: agent, count: count, reply: reply))
        }
        return try result.get()
    }

    /// Stops the worker once the jobs already queued are done; no read may be asked for after.
    func finish() { queue.finish() }

    private static func read(_ job: Job, paths: DaemonPaths) -> Result<LogLinesView, APIError> {
        let directory = paths.logDirectory(agent: job.agent)
        do {
            let bytes = try AgentLogTail.lastLines(in: directory, count: job.count)
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
            return .success(LogLinesView(agent: job.agent, lines: lines.map { String(decoding: $0, as: UTF8.self) }))
        } catch  where error.errno == ENOENT && error.path == directory {
            return .failure(.notFound("agent '\(job.agent)' has no log (\(directory))"))
        } catch {
            return .failure(.failed("cannot read the log of '\(job.agent)': \(error)"))
        }
    }
}
