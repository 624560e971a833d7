import Foundation

/// The ledger's wall clock.
public enum LedgerClock {
    /// Microseconds since the Unix epoch, now.
    @Sendable public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
