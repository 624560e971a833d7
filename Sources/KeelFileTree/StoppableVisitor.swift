import KeelFormats
import Synchronization

/// A flag one thread raises to stop a tree walk running on another.
public final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    /// A signal not yet raised.
    public init() {}

    /// Asks the walk to stop at its next file or chunk.
    public func raise() { raised.store(true, ordering: .releasing) }

    /// Whether `raise()` was called.
    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// What a `StoppableVisitor` throws once its signal is raised.
public struct TreeWalkStopped: Error, Sendable, CustomStringConvertible {
    /// Says the walk was stopped on request.
    public var description: String { "the tree walk was stopped" }
}

/// Hands every node on to `base` until `signal` is raised, then throws `TreeWalkStopped` at the
/// next file, directory or chunk, so a walk (`TreeDumper.copy`) ends early.
public struct StoppableVisitor<Base: NARVisitor>: NARVisitor {
    /// The visitor the nodes go to; after a stop, it holds what it had received.
    public var base: Base
    /// The signal that stops the walk.
    public let signal: StopSignal

    /// Wraps `base`, stopping when `signal` is raised.
    public init(_ base: Base, stoppedBy signal: StopSignal) {
        self.base = base
        self.signal = signal
    }

    private func check() throws(TreeWalkStopped) { if signal.isRaised { throw TreeWalkStopped() } }

    /// Checks the signal, then passes the directory on.
    public mutating func beginDirectory(name: [UInt8]?) throws {
        try check()
        try base.beginDirectory(name: name)
    }

    /// Passes the end of the directory on.
    public mutating func endDirectory() throws { try base.endDirectory() }

    /// Checks the signal, then passes the file on.
    public mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        try check()
        try base.beginFile(name: name, executable: executable, size: size)
    }

    /// Checks the signal, then passes the chunk on.
    public mutating func contents(_ chunk: UnsafeRawBufferPointer) throws {
        try check()
        try base.contents(chunk)
    }

    /// Passes the end of the file on.
    public mutating func endFile() throws { try base.endFile() }

    /// Checks the signal, then passes the symlink on.
    public mutating func symlink(name: [UInt8]?, target: [UInt8]) throws {
        try check()
        try base.symlink(name: name, target: target)
    }
}
