import KeelLinux

/// Whether the agent calls itself healthy: yes, until `--unhealthy-after` has passed or while
/// the `--health-file` says `fail`.
struct TestAgentHealth: Sendable {
    /// The `MonotonicClock` moment the agent started.
    let startedAt: UInt64
    /// The `MonotonicClock` moment it turns unhealthy for good, if any.
    let unhealthyAt: UInt64?
    /// A file whose content `fail` (surrounding white space aside) means unhealthy.
    let healthFile: String?

    /// Nil when healthy; else why not.
    func problem() -> String? {
        if let unhealthyAt, MonotonicClock.now() >= unhealthyAt {
            return "unhealthy since \((unhealthyAt - startedAt) / 1_000_000) ms after start (--unhealthy-after)"
        }
        // A read of at most a few bytes of a local file: short enough for a request handler.
        if let healthFile, let bytes = try? FileSystem.readWholeFile(healthFile, limit: 4096),
            String(decoding: bytes, as: UTF8.self).trimmingWhiteSpace == "fail"
        {
            return "\(healthFile) says fail"
        }
        return nil
    }

    /// Milliseconds since the agent started.
    var uptimeMilliseconds: UInt64 { (MonotonicClock.now() - startedAt) / 1_000_000 }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingWhiteSpace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
