/// One datagram of systemd's notify protocol (`sd_notify(3)`), read as systemd reads it:
/// newline-separated `KEY=VALUE` assignments, each key's first valid assignment winning;
/// lines without `=` or with an empty key are ignored, as are values a key does not accept
/// (`ERRNO=x`, `MAINPID=0`, a `STATUS` that is not UTF-8).
public struct NotifyMessage: Sendable, Equatable {
    /// What a `WATCHDOG=` assignment asks for.
    public enum WatchdogRequest: Sendable, Equatable {
        /// `WATCHDOG=1`: the agent is alive; restart its watchdog timer.
        case ping
        /// `WATCHDOG=trigger`: the agent asks to be treated as if its watchdog had expired.
        case trigger
    }

    /// A `KEY=VALUE` line whose key is not one of the typed fields (or `FDNAME=`, `MONOTONIC_USEC=`
    /// and the like), kept in order.
    public struct Assignment: Sendable, Equatable {
        /// The text before the first `=`.
        public let key: String
        /// The text after it.
        public let value: String

        /// An assignment of `value` to `key`.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The longest datagram accepted (systemd's `NOTIFY_BUFFER_MAX`, `PIPE_BUF`): a longer one
    /// is ignored whole.
    public static let maximumSize = 4096

    /// `READY=1`: start-up is finished.
    public var isReady = false
    /// `RELOADING=1`: the agent is reloading its configuration.
    public var isReloading = false
    /// `STOPPING=1`: the agent is shutting down.
    public var isStopping = false
    /// `STATUS=`: free text on the agent's state (empty clears it).
    public var status: String?
    /// `ERRNO=`: the errno-style failure the agent reports (0 or more).
    public var errorNumber: Int32?
    /// `MAINPID=`: the pid of the agent's main process, when it is not the one started (over 0).
    public var mainPID: Int32?
    /// `WATCHDOG=1` or `WATCHDOG=trigger`.
    public var watchdog: WatchdogRequest?
    /// `WATCHDOG_USEC=`: a new watchdog interval in microseconds (over 0).
    public var watchdogIntervalMicroseconds: UInt64?
    /// `EXTEND_TIMEOUT_USEC=`: extend the current start/stop timeout by this many microseconds.
    public var extendTimeoutMicroseconds: UInt64?
    /// `BARRIER=1`: a synchronisation point; the sender waits until the descriptor it passed is
    /// closed (which `DatagramSocket.receive` always does).
    public var isBarrier = false
    /// `FDSTORE=1`: the agent asks to store the descriptors it passed (not supported: they are
    /// closed).
    public var storesDescriptors = false
    /// Every other assignment, in the order sent.
    public var otherAssignments: [Assignment] = []

    /// An empty message (no assignment).
    public init() {}

    /// Parses a datagram; `nil` when systemd would ignore it whole: longer than `maximumSize`
    /// or holding a NUL byte.
    public init?(datagram: some Collection<UInt8>) {
        guard datagram.count <= Self.maximumSize, !datagram.contains(0) else { return nil }
        var seen = Set<String>()
        for line in datagram.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")), equals != line.startIndex else { continue }
            let key = String(decoding: line[..<equals], as: UTF8.self)
            let valueBytes = line[line.index(after: equals)...]
            let value = String(decoding: valueBytes, as: UTF8.self)
            guard !seen.contains(key) else { continue }
            if apply(key: key, value: value, validUTF8: String(validating: valueBytes, as: UTF8.self) != nil) {
                seen.insert(key)
            }
        }
    }

    /// Sets the field `key` names; returns whether the assignment counted (a known key with a
    /// value it accepts, or an unknown key).
    private mutating func apply(key: String, value: String, validUTF8: Bool) -> Bool {
        switch key {
        case "READY": return Self.flag(value, &isReady)
        case "RELOADING": return Self.flag(value, &isReloading)
        case "STOPPING": return Self.flag(value, &isStopping)
        case "BARRIER": return Self.flag(value, &isBarrier)
        case "FDSTORE": return Self.flag(value, &storesDescriptors)
        case "STATUS":
            guard validUTF8 else { return false }
            status = value
        case "ERRNO":
            guard let number = Self.decimal(value, as: Int32.self) else { return false }
            errorNumber = number
        case "MAINPID":
            guard let pid = Self.decimal(value, as: Int32.self), pid > 0 else { return false }
            mainPID = pid
        case "WATCHDOG":
            switch value {
            case "1": watchdog = .ping
            case "trigger": watchdog = .trigger
            default: return false
            }
        case "WATCHDOG_USEC":
            guard let interval = Self.decimal(value, as: UInt64.self), interval > 0 else { return false }
            watchdogIntervalMicroseconds = interval
        case "EXTEND_TIMEOUT_USEC":
            guard let extra = Self.decimal(value, as: UInt64.self) else { return false }
            extendTimeoutMicroseconds = extra
        default:
            otherAssignments.append(Assignment(key: key, value: value))
            return false
        }
        return true
    }

    /// A flag is set only by `=1`, as systemd matches whole lines such as `READY=1`.
    private static func flag(_ value: String, _ field: inout Bool) -> Bool {
        guard value == "1" else { return false }
        field = true
        return true
    }

    /// A plain decimal number (digits only, no sign or spaces) that fits `T`.
    private static func decimal<T: FixedWidthInteger>(_ text: String, as type: T.Type) -> T? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return T(text)
    }
}
