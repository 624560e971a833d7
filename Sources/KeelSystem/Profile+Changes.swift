import Foundation
import KeelLinux
import SystemPackage

extension Profile {
    /// Makes a new generation pointing at `systemPath`, numbered one more than the highest
    /// existing generation (or than the number the profile link names, if higher), without
    /// switching to it. The caller holds `lock(waiting:)`.
    ///
    /// The record is written (atomically) before the link, and the link is made under a
    /// temporary name with its mtime set to `time` and then renamed into place without
    /// replacing anything, so a crash leaves either no generation or a complete one.
    ///
    /// - Parameters:
    ///   - systemPath: the absolute store path of the system; it must exist.
    ///   - time: the creation time in seconds since the epoch (default: now); the link's mtime.
    ///   - configHash: the hash of the configuration it was built from.
    ///   - gitCommit: the git commit of the configuration.
    ///   - host: the host it was built for.
    ///   - status: its status to begin with.
    /// - Throws: `ProfileError`: `.badInput` for a system path that is not absolute or does not
    ///   exist, `.foreignEntry` or `.badRecord` from reading the generations, `.fileSystem`.
    @discardableResult
    public func create(
        systemPath: String, time: Int64? = nil, configHash: String? = nil, gitCommit: String? = nil,
        host: String? = nil, status: GenerationStatus = .pending
    ) throws(ProfileError) -> Generation {
        guard systemPath.hasPrefix("/"), !systemPath.utf8.contains(0) else {
            throw ProfileError(.badInput, "the system path '\(systemPath)' is not an absolute path")
        }
        do { _ = try FileSystem.status(of: Array(systemPath.utf8)) } catch {
            throw ProfileError(.badInput, "the system path '\(systemPath)' cannot be used", cause: error)
        }
        do { try FileSystem.makeDirectories(directory) } catch {
            throw ProfileError(.fileSystem, "cannot create the profile directory '\(directory)'", cause: error)
        }
        guard let profile = try openDirectory() else {
            throw ProfileError(.fileSystem, "the profile directory '\(directory)' vanished")
        }
        defer { FileSystem.close(profile) }
        _ = try generations(in: profile)  // Refuses a profile with entries Keel cannot read.
        let number = max(try linkNumbers(in: profile).last ?? 0, try currentNumber(in: profile) ?? 0) + 1
        let record = GenerationRecord(
            number: number, time: time ?? Int64(Date().timeIntervalSince1970), systemPath: systemPath,
            configHash: configHash, gitCommit: gitCommit, host: host, status: status)
        guard let records = try openRecordsDirectory(in: profile, creating: true) else {
            throw ProfileError(.fileSystem, "the records directory '\(recordsDirectory)' vanished")
        }
        defer { FileSystem.close(records) }
        try writeRecord(record, in: records)
        let temporary = names.temporaryLink
        do {
            try FileSystem.makeSymlink(temporary, target: Array(systemPath.utf8), in: profile)
            try FileSystem.setTimes(temporary, in: profile, seconds: Int(record.time))
            try FileSystem.renameNoReplace(temporary, in: profile, to: names.generationLink(number), in: profile)
        } catch {
            try? FileSystem.remove(temporary, in: profile, isDirectory: false)
            if error.errno == EEXIST {
                throw ProfileError(
                    .fileSystem,
                    "'\(linkPath(of: number))' appeared while Keel was creating it; is another process changing the profile without its lock?"
                )
            }
            throw ProfileError(.fileSystem, "cannot create the generation link '\(linkPath(of: number))'", cause: error)
        }
        try sync(profile)
        return Generation(
            number: number, link: linkPath(of: number), systemPath: systemPath, record: record, isRecorded: true,
            isCurrent: false)
    }

    /// Points the profile link at generation `number` with one `rename(2)` of a temporary
    /// symlink made beside it, then syncs the directory: at every instant the profile link
    /// names either the previous generation or this one. The caller holds `lock(waiting:)`.
    ///
    /// - Throws: `ProfileError`: `.noSuchGeneration` when generation `number` has no link,
    ///   `.badInput` when its system path is missing, `.foreignEntry` when its link or the
    ///   profile link is not a symlink, `.fileSystem`.
    public func switchTo(_ number: Int) throws(ProfileError) {
        guard let profile = try openDirectory() else { throw noSuchGeneration(number) }
        defer { FileSystem.close(profile) }
        guard let link = try readGenerationLink(number, in: profile) else { throw noSuchGeneration(number) }
        do { _ = try FileSystem.status(of: Array(link.target.utf8)) } catch {
            throw ProfileError(
                .badInput,
                "generation \(number) of '\(path)' points at '\(link.target)', which cannot be used; Keel will not switch to it",
                cause: error)
        }
        _ = try currentNumber(in: profile)  // Refuses a profile link that is not a symlink.
        let temporary = names.temporaryLink
        do {
            try FileSystem.makeSymlink(temporary, target: names.generationLink(number), in: profile)
            try FileSystem.rename(temporary, in: profile, to: names.profileLink, in: profile)
        } catch {
            try? FileSystem.remove(temporary, in: profile, isDirectory: false)
            throw ProfileError(.fileSystem, "cannot point '\(path)' at generation \(number)", cause: error)
        }
        try sync(profile)
    }

    /// Records `status` for generation `number` (atomically replacing its record, or writing
    /// one for a generation that has none). The caller holds `lock(waiting:)`.
    ///
    /// - Throws: `ProfileError.noSuchGeneration` when generation `number` has no link, or what
    ///   reading and writing its record throws.
    public func setStatus(_ status: GenerationStatus, of number: Int) throws(ProfileError) {
        guard let profile = try openDirectory() else { throw noSuchGeneration(number) }
        defer { FileSystem.close(profile) }
        guard let link = try readGenerationLink(number, in: profile) else { throw noSuchGeneration(number) }
        guard let records = try openRecordsDirectory(in: profile, creating: true) else {
            throw ProfileError(.fileSystem, "the records directory '\(recordsDirectory)' vanished")
        }
        defer { FileSystem.close(records) }
        var record = try generation(number, link: link, records: records, current: nil).record
        guard record.status != status else { return }
        record.status = status
        try writeRecord(record, in: records)
    }

    /// Deletes generations `numbers`: each one's link, then its record. Checks all of them
    /// before deleting any. The caller holds `lock(waiting:)`.
    ///
    /// - Throws: `ProfileError`: `.currentGeneration` naming the current generation when it is
    ///   among them, `.noSuchGeneration` for a number with no link, `.foreignEntry` for a
    ///   `system-N-link` that is not a symlink, `.fileSystem`.
    public func delete(_ numbers: [Int]) throws(ProfileError) {
        let doomed = Set(numbers).sorted()
        guard !doomed.isEmpty else { return }
        guard let profile = try openDirectory() else { throw noSuchGeneration(doomed[0]) }
        defer { FileSystem.close(profile) }
        let current = try currentNumber(in: profile)
        for number in doomed {
            if number == current {
                throw ProfileError(
                    .currentGeneration,
                    "generation \(number) is the current generation of '\(path)'; switch to another one before deleting it"
                )
            }
            guard try readGenerationLink(number, in: profile) != nil else { throw noSuchGeneration(number) }
        }
        let records = try openRecordsDirectory(in: profile, creating: false)
        defer { if let records { FileSystem.close(records) } }
        for number in doomed {
            try remove(names.generationLink(number), in: profile, describing: linkPath(of: number))
        }
        try sync(profile)
        guard let records else { return }
        for number in doomed {
            try remove(ProfileNames.recordFile(number), in: records, describing: recordPath(of: number))
        }
        try sync(records, describing: recordsDirectory)
    }

    private func noSuchGeneration(_ number: Int) -> ProfileError {
        ProfileError(.noSuchGeneration, "the profile '\(path)' has no generation \(number)")
    }

    /// Removes the file or symlink `name`; one already gone is not an error.
    private func remove(_ name: [UInt8], in parent: FileDescriptor, describing location: String)
        throws(ProfileError)
    {
        do { try FileSystem.remove(name, in: parent, isDirectory: false) } catch {
            guard error.errno != ENOENT else { return }
            throw ProfileError(.fileSystem, "cannot delete '\(location)'", cause: error)
        }
    }

    private func sync(_ directory: FileDescriptor, describing location: String? = nil) throws(ProfileError) {
        do { try FileSystem.sync(directory) } catch {
            throw ProfileError(.fileSystem, "cannot sync '\(location ?? self.directory)'", cause: error)
        }
    }
}
