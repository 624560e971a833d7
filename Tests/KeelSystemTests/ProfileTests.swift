import Foundation
import KeelLinux
import KeelSystem
import KeelTesting
import SystemPackage
import Testing

/// A profile in a fresh temporary directory, with fake system paths in a fake store beside it.
final class ProfileFixture {
    let temporary: TemporaryDirectory
    let profile: Profile

    init() throws {
        temporary = try TemporaryDirectory()
        profile = Profile(directory: temporary.appending("profiles"))
    }

    deinit { temporary.remove() }

    /// A directory standing in for the system path of host `index` (created once).
    func systemPath(_ index: Int) throws -> String {
        let store = temporary.appending("store")
        let hash = String(repeating: "abcdfghijklmnpqrsvwxyz0123456789".map(String.init)[index % 32], count: 32)
        let path = "\(store)/\(hash)-keel-system-host\(index)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Creates a generation for host `index` at `time`, holding the lock.
    @discardableResult
    func create(_ index: Int, time: Int64, status: GenerationStatus = .pending) throws -> Generation {
        let lock = try profile.lock()
        defer { withExtendedLifetime(lock) {} }
        return try profile.create(
            systemPath: systemPath(index), time: time, configHash: "sha256-config\(index)", gitCommit: "commit\(index)",
            host: "host\(index)", status: status)
    }

    /// A private nix whose `nix-env` runs with `TZ=UTC`, so the times it prints are UTC.
    func nix() throws -> NixOracle {
        try NixOracle(root: temporary.appending("nix"), storeDirectory: temporary.appending("store"))
    }

    /// Runs `nix-env ARGUMENTS -p PROFILE`, failing on a non-zero exit.
    @discardableResult
    func nixEnv(_ nix: NixOracle, _ arguments: [String]) throws -> String {
        var environment = nix.environment
        environment["TZ"] = "UTC"
        let result = try ProcessRunner.run(
            "nix-env", arguments + ["-p", profile.path], environment: environment)
        guard result.status == 0 else { throw ProfileTestFailure("nix-env \(arguments): \(result.errorOutput)") }
        return result.output
    }

    /// What `nix-env --list-generations` says: number, time (UTC, as printed) and whether it
    /// is marked current, per line.
    func nixGenerations(_ nix: NixOracle) throws -> [(number: Int, time: String, current: Bool)] {
        try nixEnv(nix, ["--list-generations"]).split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return (Int(fields[0]) ?? -1, "\(fields[1]) \(fields[2])", fields.count > 3 && fields[3] == "(current)")
        }
    }

    /// The entries of the profile directory.
    func entries() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: profile.directory))
    }
}

/// A step of a test that failed outside an expectation.
struct ProfileTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `time` as nix-env prints it in UTC.
func nixTime(_ time: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
}

/// A program started in the background whose stderr a test reads as it comes.
final class BackgroundProgram {
    private let process = Process()
    /// Taken at start: `deinit` signals through it, never a pid another process may reuse.
    private var pidfd: FileDescriptor?
    private let errorPipe = Pipe()
    private var errorSoFar: [UInt8] = []

    init(_ program: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: ProcessRunner.resolve(program))
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        try process.run()
        pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
    }

    deinit {
        if process.isRunning {
            if let pidfd { _ = try? ProcessControl.signal(pidfd: pidfd, SIGTERM) } else { process.terminate() }
        }
        if let pidfd { FileSystem.close(pidfd) }
        process.waitUntilExit()
    }

    var isRunning: Bool { process.isRunning }

    /// Reads stderr until it holds `text` (true), or the program closes it (false).
    func waitForStandardError(containing text: String) -> Bool {
        while !String(decoding: errorSoFar, as: UTF8.self).contains(text) {
            let chunk = errorPipe.fileHandleForReading.availableData
            if chunk.isEmpty { return false }
            errorSoFar += chunk
        }
        return true
    }

    /// Waits for the exit; returns the status and all of stderr.
    func finish() -> (status: Int32, errorOutput: String) {
        errorSoFar += errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errorSoFar, as: UTF8.self))
    }
}

/// Things threads report to the test.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    private var numbers: [Int] = []

    func append(_ item: String) { lock.withLock { items.append(item) } }
    func append(_ number: Int) { lock.withLock { numbers.append(number) } }
    var all: [String] { lock.withLock { items } }
    var allNumbers: [Int] { lock.withLock { numbers } }
}

@Suite("The system profile and its generations", .ownThreads)
struct ProfileTests {
    @Test("create, switch, list, statuses: links, records and the profile link are what they should be")
    func lifecycle() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        #expect(try profile.generations().isEmpty, "no directory yet: no generations")
        #expect(try profile.current() == nil)
        #expect(!FileManager.default.fileExists(atPath: profile.directory), "reading creates nothing")

        let first = try fixture.create(1, time: 1_700_000_000)
        let second = try fixture.create(2, time: 1_700_000_100)
        let third = try fixture.create(3, time: 1_700_000_200)
        #expect([first.number, second.number, third.number] == Array(1...3))
        #expect(try profile.current() == nil, "creating does not switch")
        #expect(!FileManager.default.fileExists(atPath: profile.path))

        try withLock(profile) { try profile.switchTo(2) }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: profile.path) == "system-2-link")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: profile.linkPath(of: 3)) == fixture.systemPath(3))
        let status = try FileSystem.status(of: Array(profile.linkPath(of: 1).utf8))
        #expect(status.kind == .symlink && status.modificationTime == 1_700_000_000, "the link's mtime is the time")

        let listed = try profile.generations()
        #expect(listed.map(\.number) == [1, 2, 3])
        #expect(listed.map(\.isCurrent) == [false, true, false])
        #expect(listed.allSatisfy { $0.isRecorded })
        #expect(listed[2].record == third.record)
        #expect(
            listed[0].record
                == GenerationRecord(
                    number: 1, time: 1_700_000_000, systemPath: try fixture.systemPath(1), configHash: "sha256-config1",
                    gitCommit: "commit1", host: "host1", status: .pending))
        #expect(try profile.current()?.number == 2)

        try withLock(profile) {
            try profile.setStatus(.good, of: 2)
            try profile.setStatus(.failed, of: 3)
        }
        #expect(try profile.generations().map(\.status) == [.pending, .good, .failed])
        #expect(try profile.generation(3)?.record.gitCommit == "commit3", "a status change keeps the rest")
        try withLock(profile) { try profile.switchTo(3) }
        #expect(try profile.current()?.number == 3)
        #expect(try profile.previousGood(before: 3)?.number == 2)

        // Only Keel's names are in the directory (the lock file goes with the lock).
        #expect(
            try fixture.entries() == [
                "system", "system-1-link", "system-2-link", "system-3-link", ".system-generations",
            ])
        #expect(
            try Set(FileManager.default.contentsOfDirectory(atPath: profile.recordsDirectory))
                == ["1.json", "2.json", "3.json"])

        let missing = #expect(throws: ProfileError.self) { try withLock(profile) { try profile.switchTo(7) } }
        #expect(missing?.code == .noSuchGeneration)
        #expect(missing?.description.contains("has no generation 7") == true)
        #expect(try profile.current()?.number == 3)
    }

    @Test("nix-env --list-generations agrees: numbers, times and the current marker")
    func nixListsKeelGenerations() throws {
        guard NixOracle.isInstalled else { return }
        let fixture = try ProfileFixture()
        let nix = try fixture.nix()
        let times: [Int64] = [1_600_000_000, 1_650_000_000, 1_700_000_000, 1_750_000_000]
        for (index, time) in times.enumerated() { try fixture.create(index + 1, time: time) }
        try withLock(fixture.profile) {
            try fixture.profile.switchTo(3)
            try fixture.profile.delete([2])
        }
        let listed = try fixture.nixGenerations(nix)
        let keel = try fixture.profile.generations()
        #expect(listed.map(\.number) == keel.map(\.number))
        #expect(listed.map(\.number) == [1, 3, 4])
        #expect(listed.map(\.time) == keel.map { nixTime($0.time) })
        #expect(listed.map(\.current) == keel.map(\.isCurrent))
        #expect(listed.map(\.current) == [false, true, false])
    }

    @Test("after nix-env --switch-generation and --delete-generations, Keel reads the profile back")
    func keelReadsNixChanges() throws {
        guard NixOracle.isInstalled else { return }
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        let nix = try fixture.nix()
        try fixture.create(1, time: 1_700_000_000, status: .good)
        try fixture.create(2, time: 1_700_000_100)
        try fixture.create(3, time: 1_700_000_200)
        try withLock(profile) { try profile.switchTo(3) }

        try fixture.nixEnv(nix, ["--switch-generation", "1"])
        #expect(try profile.current()?.number == 1)
        #expect(try profile.current()?.record.status == .good, "records survive nix's switch")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: profile.path) == "system-1-link")

        try fixture.nixEnv(nix, ["--delete-generations", "3"])
        #expect(try profile.generations().map(\.number) == [1, 2])
        #expect(FileManager.default.fileExists(atPath: profile.recordPath(of: 3)), "nix leaves Keel's record")

        // The orphaned record is not taken for the next generation 3: Keel overwrites it.
        let next = try fixture.create(4, time: 1_700_000_300)
        #expect(next.number == 3)
        #expect(try profile.generation(3)?.record.host == "host4")

        // nix-env made the lock file and removed it, and Keel's lock still works after it.
        #expect(!FileManager.default.fileExists(atPath: profile.lockPath))
        try withLock(profile) { try profile.switchTo(3) }
        #expect(try fixture.nixGenerations(nix).map(\.current) == [false, false, true])
    }

    @Test("a link without a record is a pending generation timed by its mtime; a stale record is not its record")
    func linkWithoutRecord() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        try fixture.create(1, time: 1_700_000_000, status: .good)
        // A link such as nix-env makes, with no record.
        try FileManager.default.createSymbolicLink(
            atPath: profile.linkPath(of: 2), withDestinationPath: try fixture.systemPath(2))
        let directory = try FileSystem.openDirectory(Array(profile.directory.utf8))
        defer { FileSystem.close(directory) }
        try FileSystem.setTimes(Array("system-2-link".utf8), in: directory, seconds: 1_700_000_500)
        // A stale record of another system under number 3, and a link 3 made by another tool.
        try replace(
            profile.recordPath(of: 3), #"{"number":3,"time":1600000000,"systemPath":"/elsewhere","status":"failed"}"#)
        try FileManager.default.createSymbolicLink(
            atPath: profile.linkPath(of: 3), withDestinationPath: try fixture.systemPath(3))

        let listed = try profile.generations()
        #expect(listed.map(\.number) == [1, 2, 3])
        #expect(listed.map(\.isRecorded) == [true, false, false])
        #expect(listed.map(\.status) == [.good, .pending, .pending])
        #expect(listed[1].time == 1_700_000_500)
        #expect(
            listed[1].record == GenerationRecord(number: 2, time: 1_700_000_500, systemPath: try fixture.systemPath(2)))
        #expect(listed[2].systemPath == (try fixture.systemPath(3)))

        // Setting a status writes a record for it, from the link.
        try withLock(profile) { try profile.setStatus(.good, of: 2) }
        let recorded = try #require(try profile.generation(2))
        #expect(recorded.isRecorded && recorded.status == .good && recorded.time == 1_700_000_500)
    }

    @Test("delete removes links and records, refuses the current generation and unknown numbers, deleting nothing")
    func deleteRefusesCurrent() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        for index in 1...4 { try fixture.create(index, time: 1_700_000_000 + Int64(index)) }
        try withLock(profile) { try profile.switchTo(2) }

        let current = #expect(throws: ProfileError.self) { try withLock(profile) { try profile.delete([1, 2]) } }
        #expect(current?.code == .currentGeneration)
        #expect(current?.description.contains("generation 2 is the current generation") == true)
        let unknown = #expect(throws: ProfileError.self) { try withLock(profile) { try profile.delete([1, 9]) } }
        #expect(unknown?.code == .noSuchGeneration)
        #expect(try profile.generations().map(\.number) == [1, 2, 3, 4], "nothing deleted")

        try withLock(profile) { try profile.delete([1, 3]) }
        #expect(try profile.generations().map(\.number) == [2, 4])
        #expect(!FileManager.default.fileExists(atPath: profile.recordPath(of: 1)))
        #expect(!FileManager.default.fileExists(atPath: profile.recordPath(of: 3)))
        #expect(try fixture.create(5, time: 1_700_000_100).number == 5, "numbers go on from the highest")
    }

    @Test("a system-N-link or profile link that is not a symlink is refused, named, and left as it is")
    func foreignEntriesRefused() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        try fixture.create(1, time: 1_700_000_000)
        try fixture.create(2, time: 1_700_000_001)
        try TestFiles.write(profile.linkPath(of: 3), Array("someone's file\n".utf8))

        let listing = #expect(throws: ProfileError.self) { try profile.generations() }
        #expect(listing?.code == .foreignEntry)
        #expect(listing?.description.contains("'\(profile.linkPath(of: 3))' is not a symlink") == true)
        let attempts: [() throws -> Void] = [
            { try profile.switchTo(3) }, { try profile.delete([3]) }, { try profile.setStatus(.good, of: 3) },
            { _ = try profile.create(systemPath: fixture.systemPath(4)) },
        ]
        for attempt in attempts {
            let error = #expect(throws: ProfileError.self) { try withLock(profile) { try attempt() } }
            #expect(error?.code == .foreignEntry)
        }
        #expect(try String(contentsOfFile: profile.linkPath(of: 3), encoding: .utf8) == "someone's file\n")

        // Switching still works around it; a profile link that is a directory is refused.
        try withLock(profile) { try profile.switchTo(2) }
        try FileManager.default.removeItem(atPath: profile.path)
        try FileManager.default.createDirectory(atPath: profile.path, withIntermediateDirectories: false)
        let switching = #expect(throws: ProfileError.self) { try withLock(profile) { try profile.switchTo(1) } }
        #expect(switching?.code == .foreignEntry)
        #expect(switching?.description.contains("'\(profile.path)' is not a symlink") == true)
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(atPath: profile.path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test("a record that is not JSON of a record is reported, naming the file")
    func corruptRecord() throws {
        let fixture = try ProfileFixture()
        try fixture.create(1, time: 1_700_000_000)
        try replace(fixture.profile.recordPath(of: 1), "{not json")
        let error = #expect(throws: ProfileError.self) { try fixture.profile.generations() }
        #expect(error?.code == .badRecord)
        #expect(
            error?.description.contains("'\(fixture.profile.recordPath(of: 1))' is not a generation record") == true)
    }

    @Test("threads creating at once each hold the lock in turn and get distinct numbers")
    func concurrentCreates() throws {
        let fixture = try ProfileFixture()
        let paths = try (0..<12).map { try fixture.systemPath($0) }
        let profile = fixture.profile
        let reports = Reports()
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            do {
                let lock = try profile.lock()
                defer { withExtendedLifetime(lock) {} }
                reports.append(try profile.create(systemPath: paths[index]).number)
            } catch {
                reports.append("\(error)")
            }
        }
        #expect(reports.all.isEmpty)
        #expect(reports.allNumbers.sorted() == Array(1...paths.count))
        let listed = try profile.generations()
        #expect(Set(listed.map(\.systemPath)) == Set(paths))
        #expect(listed.allSatisfy { $0.isRecorded })
    }

    @Test("a second locker says it waits, then gets the lock; a lock file Nix marked stale is replaced")
    func lockWaitsAndSaysSo() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        var held: ProfileLock? = try profile.lock()
        let reports = Reports()
        let announced = DispatchSemaphore(value: 0)
        let acquired = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                var lock: ProfileLock? = try profile.lock { line in
                    reports.append(line)
                    announced.signal()
                }
                reports.append(lock == nil ? 0 : 1)
                lock = nil  // Released before the test goes on.
                acquired.signal()
            } catch {
                reports.append("\(error)")
                announced.signal()
                acquired.signal()
            }
        }
        #expect(announced.wait(timeout: .now() + 120) == .success)
        #expect(reports.allNumbers.isEmpty, "still waiting")
        #expect(reports.all == ["waiting for another process to finish changing the profile '\(profile.path)'..."])
        #expect(held != nil)
        held = nil
        #expect(acquired.wait(timeout: .now() + 120) == .success)
        #expect(reports.allNumbers == [1])

        // Nix's protocol: a holder that deletes the lock file writes `d` into it first; whoever
        // waited on the old file must take a fresh one.
        let stale = try FileSystem.openOrCreate(Array(profile.lockPath.utf8))
        try FileSystem.lock(stale)
        let second = DispatchSemaphore(value: 0)
        let outcome = Reports()
        Thread.detachNewThread {
            do {
                var lock: ProfileLock? = try profile.lock { _ in second.signal() }
                // The file now at the lock path is the one this thread holds.
                let probe = try FileSystem.openOrCreate(Array(profile.lockPath.utf8))
                defer { FileSystem.close(probe) }
                let heldByThisThread = try lock != nil && !FileSystem.tryLock(probe)
                outcome.append(heldByThisThread ? 1 : 0)
                lock = nil
            } catch {
                outcome.append("\(error)")
            }
            second.signal()
        }
        #expect(second.wait(timeout: .now() + 120) == .success)
        try FileSystem.write(stale, [UInt8(ascii: "d")], at: 0)
        try FileSystem.remove(Array(profile.lockPath.utf8), in: FileSystem.currentDirectory, isDirectory: false)
        FileSystem.close(stale)
        #expect(second.wait(timeout: .now() + 120) == .success)
        #expect(outcome.all.isEmpty)
        #expect(outcome.allNumbers == [1], "the fresh lock file is held")
    }

    @Test("nix-env waits for Keel's profile lock")
    func nixWaitsForKeel() throws {
        guard NixOracle.isInstalled else { return }
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        let nix = try fixture.nix()
        try fixture.create(1, time: 1_700_000_000)
        try fixture.create(2, time: 1_700_000_100)
        var lock: ProfileLock? = try profile.lock()
        try profile.switchTo(2)
        let switching = try BackgroundProgram(
            "nix-env", ["--switch-generation", "1", "-p", profile.path], environment: nix.environment)
        #expect(switching.waitForStandardError(containing: "waiting for lock on profile"))
        #expect(switching.isRunning)
        #expect(try profile.current()?.number == 2)
        #expect(lock != nil)
        lock = nil
        let result = switching.finish()
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(try profile.current()?.number == 1)
    }

    @Test("taking the lock removes other processes' temporary entries and nothing else")
    func leftoversCleaned() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        try fixture.create(1, time: 1_700_000_000)
        let target = try fixture.systemPath(2)
        let other = getpid() == 1 ? 2 : getpid() - 1
        let deadLink = ".system-keel-\(other)-42"
        let ownLink = ".system-keel-\(getpid())-42"
        for name in [deadLink, ownLink, ".0_system", "system-x-link", "other-1-link"] {
            try FileManager.default.createSymbolicLink(
                atPath: "\(profile.directory)/\(name)", withDestinationPath: target)
        }
        try TestFiles.write(profile.recordsDirectory + "/.keel-\(other)-7", Array("{".utf8))
        try TestFiles.write(profile.recordsDirectory + "/notes.txt", Array("mine".utf8))

        try withLock(profile) {}
        let entries = try fixture.entries()
        #expect(!entries.contains(deadLink))
        #expect(entries.isSuperset(of: [ownLink, ".0_system", "system-x-link", "other-1-link", "system-1-link"]))
        #expect(
            try Set(FileManager.default.contentsOfDirectory(atPath: profile.recordsDirectory))
                == ["1.json", "notes.txt"])
        #expect(try profile.generations().map(\.number) == [1], "odd names are not generations")
    }

    @Test("a record left without its link by a crash is ignored, and its number reused")
    func orphanRecordReused() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        try fixture.create(1, time: 1_700_000_000)
        try replace(
            profile.recordPath(of: 2),
            #"{"number":2,"time":1700000050,"systemPath":"\#(try fixture.systemPath(9))","status":"good"}"#)
        #expect(try profile.generations().map(\.number) == [1])
        let second = try fixture.create(2, time: 1_700_000_100)
        #expect(second.number == 2)
        #expect(try profile.generation(2)?.record == second.record)
        #expect(try profile.generation(2)?.status == .pending)
    }

    @Test("creating refuses a system path that is missing or relative")
    func badSystemPath() throws {
        let fixture = try ProfileFixture()
        let profile = fixture.profile
        for path in ["relative/path", fixture.temporary.appending("store/missing")] {
            let error = #expect(throws: ProfileError.self) {
                try withLock(profile) { _ = try profile.create(systemPath: path) }
            }
            #expect(error?.code == .badInput)
            #expect(error?.description.contains(path) == true)
        }
        #expect(try profile.generations().isEmpty)
    }
}

@Suite("Which generations retention deletes, and where a rollback goes", .ownThreads)
struct GenerationChoiceTests {
    /// Generations 1...count, generation `current` current, created a day apart ending at
    /// `now`, with the given statuses (pending when not given).
    func generations(
        _ count: Int, current: Int?, statuses: [Int: GenerationStatus] = [:], now: Int64 = 100 * 86_400
    ) -> [Generation] {
        (1...count).map { number in
            let time = now - Int64(count - number) * 86_400
            let record = GenerationRecord(
                number: number, time: time, systemPath: "/s/\(number)", status: statuses[number] ?? .pending)
            return Generation(
                number: number, link: "/p/system-\(number)-link", systemPath: "/s/\(number)", record: record,
                isRecorded: true, isCurrent: number == current)
        }
    }

    @Test("--keep N keeps the current one and the newest others, N in all")
    func keep() {
        let now: Int64 = 100 * 86_400
        #expect(GenerationRetention.doomed(generations(6, current: 6), keep: 3, now: now) == [1, 2, 3])
        #expect(GenerationRetention.doomed(generations(6, current: 2), keep: 3, now: now) == [1, 3, 4])
        #expect(GenerationRetention.doomed(generations(6, current: 2), keep: 1, now: now) == [1, 3, 4, 5, 6])
        #expect(GenerationRetention.doomed(generations(6, current: 2), keep: 0, now: now) == [1, 3, 4, 5, 6])
        #expect(GenerationRetention.doomed(generations(6, current: nil), keep: 2, now: now) == [1, 2, 3, 4])
        #expect(GenerationRetention.doomed(generations(3, current: 3), keep: 5, now: now).isEmpty)
        #expect(GenerationRetention.doomed(generations(3, current: 3), now: now).isEmpty, "no rule, nothing")
    }

    @Test("--older-than deletes what is strictly older, never the current one; with --keep both must agree")
    func olderThan() {
        let now: Int64 = 100 * 86_400
        let six = generations(6, current: 1, now: now)  // Generation n is (6 - n) days old.
        #expect(GenerationRetention.doomed(six, olderThan: .seconds(3 * 86_400), now: now) == [2])
        #expect(GenerationRetention.doomed(six, olderThan: .seconds(2 * 86_400), now: now) == [2, 3])
        #expect(GenerationRetention.doomed(six, olderThan: .seconds(30 * 86_400), now: now).isEmpty)
        #expect(GenerationRetention.doomed(six, keep: 4, olderThan: .seconds(86_400), now: now) == [2, 3])
    }

    @Test("a rollback goes to the newest older good generation, else the newest older pending one, never a failed one")
    func previousGood() {
        let mixed = generations(5, current: 5, statuses: [1: .good, 2: .good, 3: .pending, 4: .failed, 5: .good])
        #expect(Generation.previousGood(in: mixed, before: 5)?.number == 2)
        #expect(Generation.previousGood(in: mixed, before: 2)?.number == 1)
        #expect(Generation.previousGood(in: mixed, before: 1) == nil)
        let unjudged = generations(4, current: 4, statuses: [1: .failed, 2: .pending, 3: .failed])
        #expect(Generation.previousGood(in: unjudged, before: 4)?.number == 2)
        let failed = generations(3, current: 3, statuses: [1: .failed, 2: .failed])
        #expect(Generation.previousGood(in: failed, before: 3) == nil)
    }
}

/// Runs `body` holding the profile's lock.
func withLock<Result>(_ profile: Profile, _ body: () throws -> Result) throws -> Result {
    let lock = try profile.lock()
    defer { withExtendedLifetime(lock) {} }
    return try body()
}

/// Writes `text` to `path`, replacing what is there.
func replace(_ path: String, _ text: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    try TestFiles.write(path, Array(text.utf8))
}
