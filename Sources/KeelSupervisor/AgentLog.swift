import KeelLinux
import Synchronization
import SystemPackage

/// An agent's output, appended to `DIRECTORY/current` and rotated by size, as s6-log and
/// svlogd do.
///
/// - Rotation: when the next line would take `current` past `maxSize` bytes, `current` is
///   renamed `current.N` (N one more than the highest rotated file's, so a larger N is newer) and
///   a new `current` begins. At most `keep` rotated files remain: the oldest are deleted. Only
///   names of exactly that form (`current.` and a decimal number without leading zeros, regular
///   files) are ever renamed or deleted; anything else in the directory is left alone.
/// - Lines: output is written in whole lines, so a line never straddles two files; a partial
///   line waits for its end (or for `flush()`). A line longer than `maxSize` is cut into
///   `maxSize` pieces, each starting a file.
/// - Durability: each `append` ends in `write(2)`s, so what it took is in the kernel when it
///   returns and survives a crash of Keel; there is no `fsync` per write (a log is written
///   continuously, and an `fsync` per line would cost a disk flush each), so a crash of the
///   machine may lose the last seconds, as with s6-log and svlogd.
/// - Reopening: a new `AgentLog` on the same directory appends to the existing `current` and
///   continues the numbering of the rotated files.
public final class AgentLog: Sendable {
    /// The name of the file being written.
    public static let currentName = "current"

    /// The directory holding `current` and the rotated files.
    public let directory: String
    /// The size `current` is rotated at (at least 1).
    public let maxSize: Int
    /// How many rotated files are kept.
    public let keep: Int

    private struct State {
        var directory: FileDescriptor
        var current: FileDescriptor?
        var size: Int
        var lastSequence: Int
        /// Output of an unfinished line.
        var pending: [UInt8] = []
    }

    private let state: Mutex<State>

    /// Opens the log in `directory` (created if missing), appending to its `current`.
    ///
    /// - Throws: `SupervisorError` naming the directory or file that could not be opened.
    public init(directory: String, maxSize: Int, keep: Int) throws(SupervisorError) {
        precondition(maxSize > 0 && keep >= 0, "an agent log needs a positive maxSize and a keep of 0 or more")
        self.directory = directory
        self.maxSize = maxSize
        self.keep = keep
        do throws(SystemError) {
            try FileSystem.makeDirectories(directory)
            let handle = try FileSystem.openDirectory(Array(directory.utf8))
            do throws(SystemError) {
                let current = try FileSystem.openForAppending(Array(Self.currentName.utf8), in: handle)
                let size = try FileSystem.status(of: current).size
                let sequences = try DirectoryListing.read(handle).compactMap(Self.rotatedSequence)
                state = Mutex(
                    State(
                        directory: handle, current: current, size: Int(size),
                        lastSequence: sequences.max() ?? 0))
            } catch {
                FileSystem.close(handle)
                throw error
            }
        } catch {
            throw SupervisorError("agent log \(directory): \(error)")
        }
    }

    deinit {
        state.withLock { state in
            if let current = state.current { FileSystem.close(current) }
            FileSystem.close(state.directory)
        }
    }

    /// The rotated file's name for sequence number `sequence`: `current.N`.
    public static func rotatedName(_ sequence: Int) -> String { "\(currentName).\(sequence)" }

    /// The sequence number in a rotated file's name (`current.N`), or `nil` for any other name.
    public static func rotatedSequence(_ name: String) -> Int? {
        let prefix = currentName + "."
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 18, digits.first != "0",
            digits.allSatisfy({ $0 >= "0" && $0 <= "9" })
        else { return nil }
        return Int(digits)
    }

    private static func rotatedSequence(_ entry: DirectoryEntry) -> Int? {
        entry.kind == .regular ? rotatedSequence(String(decoding: entry.name, as: UTF8.self)) : nil
    }

    /// Appends output: its complete lines are written now, a trailing partial line when its end
    /// arrives (or at `flush()`).
    ///
    /// - Throws: `SupervisorError` naming the file that could not be written, renamed or removed.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(SupervisorError) {
        try state.withLock { state throws(SupervisorError) in
            state.pending.append(contentsOf: bytes)
            try write(&state, final: false)
        }
    }

    /// Appends output (see `append(_:)` for the raw-buffer form).
    public func append(_ bytes: [UInt8]) throws(SupervisorError) {
        try state.withLock { state throws(SupervisorError) in
            state.pending.append(contentsOf: bytes)
            try write(&state, final: false)
        }
    }

    /// Writes an unfinished last line as it is (when the output ends).
    public func flush() throws(SupervisorError) {
        try state.withLock { state throws(SupervisorError) in try write(&state, final: true) }
    }

    /// Writes the complete lines of `state.pending` (all of it when `final`), rotating as needed,
    /// in as few `write`s as the rotations allow.
    private func write(_ state: inout State, final: Bool) throws(SupervisorError) {
        var batchStart = 0
        var recordStart = 0
        let pending = state.pending
        while recordStart < pending.count {
            let lineEnd = pending[recordStart...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }
            var recordEnd: Int
            if let lineEnd {
                recordEnd = lineEnd
            } else if final || pending.count - recordStart >= maxSize {
                recordEnd = pending.count
            } else {
                break
            }
            recordEnd = min(recordEnd, recordStart + maxSize)
            let batchLength = recordStart - batchStart
            if state.size + batchLength > 0 && state.size + batchLength + (recordEnd - recordStart) > maxSize {
                try writeOut(pending[batchStart..<recordStart], to: &state)
                try rotate(&state)
                batchStart = recordStart
            }
            recordStart = recordEnd
        }
        try writeOut(pending[batchStart..<recordStart], to: &state)
        state.pending.removeFirst(recordStart)
    }

    private func writeOut(_ bytes: ArraySlice<UInt8>, to state: inout State) throws(SupervisorError) {
        guard !bytes.isEmpty else { return }
        guard let current = state.current else {
            throw SupervisorError("agent log \(directory)/\(Self.currentName): not open after a failed rotation")
        }
        let failure = bytes.withUnsafeBytes { buffer -> SystemError? in
            do throws(SystemError) {
                try SystemCall.writeAll(current.rawValue, buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw SupervisorError("agent log \(directory)/\(Self.currentName): \(failure)") }
        state.size += bytes.count
    }

    /// Renames `current` to the next `current.N`, starts a new `current` and deletes the
    /// oldest rotated files beyond `keep`.
    private func rotate(_ state: inout State) throws(SupervisorError) {
        let sequence = state.lastSequence + 1
        let rotated = Self.rotatedName(sequence)
        do throws(SystemError) {
            if let current = state.current { FileSystem.close(current) }
            state.current = nil
            try FileSystem.renameNoReplace(
                Array(Self.currentName.utf8), in: state.directory, to: Array(rotated.utf8), in: state.directory)
            state.lastSequence = sequence
            state.current = try FileSystem.openForAppending(Array(Self.currentName.utf8), in: state.directory)
            state.size = 0
        } catch {
            throw SupervisorError("agent log \(directory)/\(rotated): \(error)")
        }
        do throws(SystemError) {
            let sequences = try DirectoryListing.read(state.directory).compactMap(Self.rotatedSequence).sorted()
            for old in sequences.dropLast(keep) {
                try FileSystem.remove(Array(Self.rotatedName(old).utf8), in: state.directory, isDirectory: false)
            }
        } catch {
            throw SupervisorError("agent log \(directory): removing an old rotated file: \(error)")
        }
    }
}
