/// How a health check's time limit is named in a reason.
enum HealthTimeout {
    /// `timed out after 2 s` (or `after 250 ms`).
    static func reason(_ timeout: Duration) -> String {
        "timed out after \(describe(timeout))"
    }

    /// `2 s`, `250 ms`: whole seconds when it is some, else milliseconds.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating), for NIO's `TimeAmount`.
    var healthNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole + attoseconds / 1_000_000_000
    }
}
