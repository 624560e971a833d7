import KeelFormats

/// What happens during builds, as it happens, for progress output.
public enum BuildEvent: Sendable {
    /// A builder started (`check`: a `--check` rebuild).
    case started(StorePath, check: Bool)
    /// A builder finished and its outputs were registered (or compared).
    case finished(StorePath, seconds: Double)
    /// A line a builder printed.
    case log(StorePath, String)
}

/// Where build events go.
public struct BuildEvents: Sendable {
    /// Whether builders' log lines are wanted (they cost a call per line).
    public let wantsLogLines: Bool
    private let handler: @Sendable (BuildEvent) -> Void

    /// Sends events to `handler`, from any thread.
    public init(wantsLogLines: Bool, handler: @escaping @Sendable (BuildEvent) -> Void) {
        self.wantsLogLines = wantsLogLines
        self.handler = handler
    }

    /// Events nobody listens to.
    public static let ignored = BuildEvents(wantsLogLines: false) { _ in }

    func send(_ event: BuildEvent) { handler(event) }
}
