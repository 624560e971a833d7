import KeelLinux
import KeelStore
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A profile laid out as Nix lays one out, so `nix-env --list-generations -p DIR/system` lists
/// Keel's generations and `nix-env --switch-generation` works on them:
///
/// ```
/// DIR/system-N-link             → the absolute system store path (generation N; its mtime is
///                                 the generation's time)
/// DIR/system                    → system-N-link (relative): the current generation
/// DIR/system.lock               the lock Keel and nix-env take to change the profile
/// DIR/.system-generations/N.json Keel's record of generation N (`GenerationRecord`)
/// ```
///
/// A link is the generation: a link without a record (made by `nix-env`, or left by a crash)
/// is a generation whose status is `pending`; a record without a link (left by a crash, or by
/// `nix-env --delete-generations`) is ignored and overwritten when its number is used again.
/// Keel writes or removes only the entries named above and its own temporary names (which
/// start with a dot); a `system-N-link` or `system` that is not a symlink is refused, never
/// replaced.
///
/// Generation names are read strictly (`system-N-link`, N plain decimal); `nix-env` also
/// counts looser spellings such as `system-01-link`, which Keel never makes and ignores.
///
/// Reading needs no lock; every change (`create`, `switchTo`, `setStatus`, `delete`) must be
/// made while holding `lock(waiting:)`.
public struct Profile: Sendable {
    /// The directory holding the profile (`ROOT/profiles`); created by the first change.
    public let directory: String
    /// The profile's name (`system`).
    public let name: String
    let names: ProfileNames

    /// The profile `name` in `directory`. `name` is a plain file name (no `/`, not starting with
    /// a dot).
    public init(directory: String, name: String = "system") {
        precondition(
            !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.utf8.contains(0),
            "a profile name is a plain file name")
        self.directory = directory
        self.name = name
        names = ProfileNames(name: name)
    }

    /// The system profile of the Keel root `layout` (`ROOT/profiles/system`).
    public init(systemIn layout: StoreLayout) {
        self.init(directory: layout.profilesDirectory)
    }

    /// The profile link's path (`DIR/system`), the path `nix-env -p` takes.
    public var path: String { directory + "/" + name }
    /// The lock file's path (`DIR/system.lock`).
    public var lockPath: String { path + ".lock" }
    /// The directory of generation records (`DIR/.system-generations`).
    public var recordsDirectory: String { directory + "/" + FileSystem.display(names.recordsDirectory) }
    /// The link of generation `number` (`DIR/system-N-link`).
    public func linkPath(of number: Int) -> String {
        directory + "/" + FileSystem.display(names.generationLink(number))
    }
    /// The record file of generation `number` (`DIR/.system-generations/N.json`).
    public func recordPath(of number: Int) -> String {
        recordsDirectory + "/" + FileSystem.display(ProfileNames.recordFile(number))
    }

    /// Takes the profile's lock, creating the directory if needed; when another process or
    /// thread holds it, first tells `waiting` so with one line, then waits. Hold the returned
    /// value while changing the profile; dropping it releases the lock.
    ///
    /// Once the lock is held, temporary entries that other processes left behind (they died
    /// mid-change: no one else writes without the lock) are removed.
    public func lock(waiting: (String) -> Void = { _ in }) throws(ProfileError) -> ProfileLock {
        do { try FileSystem.makeDirectories(directory) } catch {
            throw ProfileError(.fileSystem, "cannot create the profile directory '\(directory)'", cause: error)
        }
        let lock: ProfileLock
        do {
            lock = try ProfileLock(
                path: lockPath,
                waitingLine: "waiting for another process to finish changing the profile '\(path)'...",
                waiting: waiting)
        } catch {
            throw ProfileError(.fileSystem, "cannot lock the profile '\(path)' through '\(lockPath)'", cause: error)
        }
        removeLeftovers()
        return lock
    }

    /// Every generation, by ascending number. An empty list when the directory does not exist.
    ///
    /// - Throws: `ProfileError` naming the entry when a `system-N-link` or `system` is not a
    ///   symlink, the records directory is not a directory, a record cannot be decoded, or the
    ///   directory cannot be read.
    public func generations() throws(ProfileError) -> [Generation] {
        guard let profile = try openDirectory() else { return [] }
        defer { FileSystem.close(profile) }
        return try generations(in: profile)
    }

    /// The generation the profile link points at; nil when there is no link, or it points at
    /// something other than an existing `system-N-link` (as `nix-env` sees it).
    public func current() throws(ProfileError) -> Generation? {
        guard let profile = try openDirectory() else { return nil }
        defer { FileSystem.close(profile) }
        guard let number = try currentNumber(in: profile) else { return nil }
        return try generation(number, in: profile)
    }

    /// The generation numbered `number`, or nil when it has no link.
    public func generation(_ number: Int) throws(ProfileError) -> Generation? {
        guard let profile = try openDirectory() else { return nil }
        defer { FileSystem.close(profile) }
        return try generation(number, in: profile)
    }

    private func generation(_ number: Int, in profile: FileDescriptor) throws(ProfileError) -> Generation? {
        guard let link = try readGenerationLink(number, in: profile) else { return nil }
        let records = try openRecordsDirectory(in: profile, creating: false)
        defer { if let records { FileSystem.close(records) } }
        return try generation(number, link: link, records: records, current: try currentNumber(in: profile))
    }

    // MARK: - Reading, for this file and the changes

    /// What a generation link holds: its target and its mtime.
    struct GenerationLink {
        let target: String
        let time: Int64
    }

    func generations(in profile: FileDescriptor) throws(ProfileError) -> [Generation] {
        let numbers = try linkNumbers(in: profile)
        let current = try currentNumber(in: profile)
        let records = try openRecordsDirectory(in: profile, creating: false)
        defer { if let records { FileSystem.close(records) } }
        var found: [Generation] = []
        for number in numbers {
            guard let link = try readGenerationLink(number, in: profile) else { continue }
            found.append(try generation(number, link: link, records: records, current: current))
        }
        return found
    }

    /// Generation `number` from its link and its record, when the record agrees with the link
    /// (same number, system path and time); a record that does not is another generation's
    /// leftover, and one is synthesised.
    func generation(_ number: Int, link: GenerationLink, records: FileDescriptor?, current: Int?)
        throws(ProfileError) -> Generation
    {
        var record = try records.flatMap { (records) throws(ProfileError) in try readRecord(number, in: records) }
        if let found = record, found.number != number || found.systemPath != link.target || found.time != link.time {
            record = nil
        }
        return Generation(
            number: number, link: linkPath(of: number), systemPath: link.target,
            record: record ?? GenerationRecord(number: number, time: link.time, systemPath: link.target),
            isRecorded: record != nil, isCurrent: number == current)
    }

    /// The numbers of every `system-N-link` entry, whatever its kind, ascending.
    func linkNumbers(in profile: FileDescriptor) throws(ProfileError) -> [Int] {
        let entries: [DirectoryEntry]
        do { entries = try DirectoryListing.read(profile) } catch {
            throw ProfileError(.fileSystem, "cannot list the profile directory '\(directory)'", cause: error)
        }
        return entries.compactMap { names.generationNumber(of: $0.name) }.sorted()
    }

    /// The number the profile link names (`system-N-link`, relative, as Nix writes it), or nil
    /// when there is no profile link or it names something else.
    ///
    /// - Throws: `ProfileError.foreignEntry` when `system` is not a symlink.
    func currentNumber(in profile: FileDescriptor) throws(ProfileError) -> Int? {
        guard let target = try readSymlink(names.profileLink, in: profile, describing: path) else { return nil }
        return names.generationNumber(of: target)
    }

    /// The link of generation `number`, or nil when there is none.
    ///
    /// - Throws: `ProfileError.foreignEntry` when `system-N-link` is not a symlink.
    func readGenerationLink(_ number: Int, in profile: FileDescriptor) throws(ProfileError) -> GenerationLink? {
        let name = names.generationLink(number)
        let status: FileStatus
        do { status = try FileSystem.status(of: name, in: profile) } catch  where error.errno == ENOENT {
            return nil
        } catch {
            throw ProfileError(.fileSystem, "cannot read the generation link '\(linkPath(of: number))'", cause: error)
        }
        guard let target = try readSymlink(name, in: profile, describing: linkPath(of: number)) else { return nil }
        return GenerationLink(target: FileSystem.display(target), time: status.modificationTime)
    }

    /// The target of the symlink `name`, or nil when there is no entry of that name.
    ///
    /// - Throws: `ProfileError.foreignEntry` when the entry is not a symlink.
    private func readSymlink(_ name: [UInt8], in profile: FileDescriptor, describing location: String)
        throws(ProfileError) -> [UInt8]?
    {
        do { return try FileSystem.readLink(name, in: profile) } catch {
            switch error.errno {
            case ENOENT: return nil
            case EINVAL:
                throw ProfileError(
                    .foreignEntry,
                    "'\(location)' is not a symlink, so it is not Keel's (nor Nix's) and Keel will neither use nor replace it; move it away"
                )
            default: throw ProfileError(.fileSystem, "cannot read the link '\(location)'", cause: error)
            }
        }
    }

    /// The profile directory, open; nil when it does not exist.
    func openDirectory() throws(ProfileError) -> FileDescriptor? {
        do { return try FileSystem.openDirectory(Array(directory.utf8)) } catch  where error.errno == ENOENT {
            return nil
        } catch {
            throw ProfileError(.fileSystem, "cannot open the profile directory '\(directory)'", cause: error)
        }
    }

    /// The records directory, open; nil when it does not exist and `creating` is false.
    func openRecordsDirectory(in profile: FileDescriptor, creating: Bool) throws(ProfileError) -> FileDescriptor? {
        let name = names.recordsDirectory
        do { return try FileSystem.openDirectory(name, in: profile) } catch {
            switch error.errno {
            case ENOENT where creating:
                do {
                    try FileSystem.makeDirectory(name, in: profile, permissions: 0o755)
                } catch let made where made.errno == EEXIST {
                    // Made meanwhile.
                } catch let made {
                    throw ProfileError(.fileSystem, "cannot create '\(recordsDirectory)'", cause: made)
                }
                return try openRecordsDirectory(in: profile, creating: false)
            case ENOENT: return nil
            case ENOTDIR, ELOOP:
                throw ProfileError(
                    .foreignEntry,
                    "'\(recordsDirectory)' is not a directory, so Keel cannot keep generation records there; move it away"
                )
            default: throw ProfileError(.fileSystem, "cannot open '\(recordsDirectory)'", cause: error)
            }
        }
    }

    /// Removes the temporary links and records other processes left (see `lock(waiting:)`);
    /// this process's own are left alone. Failures are ignored: a leftover stays until the next
    /// time.
    private func removeLeftovers() {
        guard let profile = try? openDirectory() else { return }
        defer { FileSystem.close(profile) }
        let ownPID = getpid()
        for entry in (try? DirectoryListing.read(profile)) ?? [] {
            guard let owner = names.temporaryLinkOwner(entry.name), owner != ownPID,
                (try? FileSystem.status(of: entry.name, in: profile))?.kind == .symlink
            else { continue }
            try? FileSystem.remove(entry.name, in: profile, isDirectory: false)
        }
        guard let records = try? openRecordsDirectory(in: profile, creating: false) else { return }
        defer { FileSystem.close(records) }
        for entry in (try? DirectoryListing.read(records)) ?? [] {
            guard let owner = ProfileNames.temporaryRecordOwner(entry.name), owner != ownPID,
                (try? FileSystem.status(of: entry.name, in: records))?.kind == .regular
            else { continue }
            try? FileSystem.remove(entry.name, in: records, isDirectory: false)
        }
    }
}
