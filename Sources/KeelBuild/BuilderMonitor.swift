import Glibc
import KeelLinux
import KeelSandbox

/// Watches a running builder: copies its output to the log, enforces the time limits and reaps
/// it. A builder over a limit is killed with everything it started (its PID namespace).
struct BuilderMonitor {
    /// How a builder ended.
    enum Ending {
        /// It exited or was killed by a signal on its own.
        case terminated(Termination)
        /// It ran longer than the timeout.
        case timedOut
        /// It printed nothing for the maximum silent time.
        case silent
    }

    let timeout: Duration?
    let maxSilentTime: Duration?

    /// Follows `process`, whose output arrives on `output` (closed here), until it ends.
    func follow(_ process: SandboxedProcess, output: Int32, log: BuildLogRecorder) throws(SystemError) -> Ending {
        defer { Glibc.close(output) }
        let clock = ContinuousClock()
        let start = clock.now
        var lastOutput = start
        var verdict: Ending?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var outputOpen = true
        var exited = false
        while outputOpen || !exited {
            if verdict == nil {
                let now = clock.now
                if let timeout, now - start >= timeout { verdict = .timedOut }
                if let maxSilentTime, now - lastOutput >= maxSilentTime { verdict = .silent }
                if verdict != nil { try? process.kill() }
            }
            var waitFor: Duration? = nil
            if verdict == nil {
                let now = clock.now
                if let timeout { waitFor = timeout - (now - start) }
                if let maxSilentTime {
                    let silence = maxSilentTime - (now - lastOutput)
                    waitFor = waitFor.map { min($0, silence) } ?? silence
                }
            }
            var descriptors: [pollfd] = []
            if outputOpen { descriptors.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
            if !exited, let pidfd = process.pidfd {
                descriptors.append(pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0))
            }
            if descriptors.isEmpty || (!outputOpen && process.pidfd == nil) {
                // No pidfd: the end of the output is the best sign; reap below.
                break
            }
            let milliseconds =
                waitFor.map {
                    max(
                        0,
                        Int32(
                            clamping: $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)
                            + 1)
                } ?? -1
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SystemError(call: "poll", errno: errno)
            }
            for descriptor in descriptors where descriptor.revents != 0 {
                if descriptor.fd == output {
                    let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                    if count > 0 {
                        lastOutput = clock.now
                        buffer.withUnsafeBytes { log.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    } else if count == 0 || errno != EINTR && errno != EAGAIN {
                        outputOpen = false
                    }
                } else {
                    exited = true
                }
            }
        }
        let termination = try process.wait()
        return verdict ?? .terminated(termination)
    }
}
