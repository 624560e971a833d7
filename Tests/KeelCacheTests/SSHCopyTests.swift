import Foundation
import KeelCache
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import SystemPackage
import Testing

/// `keel copy --to/--from ssh://` between two Keel roots through a real sshd on loopback.
@Suite("keel copy over SSH", .serialized, .ownThreads)
struct SSHCopyTests {
    @Test("A closure with references goes to the far root and comes back; a second copy sends nothing")
    func pushAndPullAClosure() throws {
        let fixture = try SSHCopyFixture()
        defer { fixture.remove() }
        let (top, all) = try fixture.makeClosure()
        let before = try fixture.local.infos(of: all).map { [$0.narHash.description] + $0.references.map(\.baseName) }

        let pushed = try fixture.copy("--to", [top])
        #expect(pushed.status == 0, "\(pushed.errorOutput)")
        let push = try SSHCopyOutput(pushed)
        #expect(Set(push.copied) == Set(all.map(fixture.local.fullPath)))
        #expect(push.copied.last == fixture.local.fullPath(top), "references travel first")
        #expect(push.alreadyPresent.isEmpty)
        #expect(push.bytes > 1 << 16)
        #expect(try fixture.farValid(all) == Set(all))
        let farNames = try FileManager.default.contentsOfDirectory(atPath: fixture.farStore)
        #expect(Set(all.map(\.baseName)).isSubset(of: farNames))
        #expect(try fixture.farLeftovers().isEmpty)

        let again = try SSHCopyOutput(try fixture.copy("--to", [top]))
        #expect(again.copied.isEmpty)
        #expect(again.bytes == 0)
        #expect(Set(again.alreadyPresent) == Set(all.map(fixture.local.fullPath)))

        _ = try fixture.local.delete(all)
        #expect(try all.allSatisfy { try !fixture.local.isValid($0) })
        let pulled = try fixture.copy("--from", [top])
        #expect(pulled.status == 0, "\(pulled.errorOutput)")
        let pull = try SSHCopyOutput(pulled)
        #expect(Set(pull.copied) == Set(all.map(fixture.local.fullPath)))
        let after = try fixture.local.infos(of: all).map { [$0.narHash.description] + $0.references.map(\.baseName) }
        #expect(after == before, "same NAR hashes and references")

        let pullAgain = try SSHCopyOutput(try fixture.copy("--from", [top]))
        #expect(pullAgain.copied.isEmpty)
        #expect(pullAgain.alreadyPresent.count == all.count)
    }

    @Test("An ssh killed in the middle of a push leaves nothing registered and no staging; the next push finishes")
    func interruptedPush() throws {
        let fixture = try SSHCopyFixture()
        defer { fixture.remove() }
        let (top, all) = try fixture.makeClosure(bigFileSize: 48 << 20)
        let (status, message) = try Self.interrupt(fixture, "--to", [top], waitingRoot: fixture.farRoot)

        #expect(status == 1)
        let lastLine = message.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("keel: ") && lastLine.contains("ssh://127.0.0.1"), "\(message)")
        #expect(try fixture.farValid(all).isEmpty)
        #expect(try fixture.farLeftovers().isEmpty)
        let farNames = try FileManager.default.contentsOfDirectory(atPath: fixture.farStore)
        #expect(Set(all.map(\.baseName)).isDisjoint(with: farNames))

        let again = try fixture.copy("--to", [top])
        #expect(again.status == 0, "\(again.errorOutput)")
        #expect(Set(try SSHCopyOutput(again).copied) == Set(all.map(fixture.local.fullPath)))
        #expect(try fixture.farValid(all) == Set(all))
        #expect(try fixture.farLeftovers().isEmpty)
    }

    @Test("An ssh killed in the middle of a pull leaves nothing registered here and no staging; the next pull finishes")
    func interruptedPull() throws {
        let fixture = try SSHCopyFixture()
        defer { fixture.remove() }
        let (top, all) = try fixture.makeClosure(bigFileSize: 48 << 20)
        #expect(try fixture.copy("--to", [top]).status == 0)
        _ = try fixture.local.delete(all)
        let (status, message) = try Self.interrupt(fixture, "--from", [top], waitingRoot: fixture.localRoot)

        #expect(status == 1)
        let lastLine = message.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("keel: ") && lastLine.contains("ssh://127.0.0.1"), "\(message)")
        #expect(try all.allSatisfy { try !fixture.local.isValid($0) })
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.storeDirectory.path)
        #expect(names.filter { $0.hasPrefix(".keel-tmp-") || $0.hasSuffix(".lock") }.isEmpty)
        #expect(Set(all.map(\.baseName)).isDisjoint(with: names))

        let again = try fixture.copy("--from", [top])
        #expect(again.status == 0, "\(again.errorOutput)")
        #expect(try all.allSatisfy { try fixture.local.isValid($0) })
    }

    /// Runs `keel copy DIRECTION PATHS` and kills its ssh (SIGKILL through a pidfd) in the middle
    /// of the stream: the importing side, `waitingRoot`, has its collection lock held by this test,
    /// so its import waits (and says so on stderr, which reaches the copy's stderr) while the
    /// sender fills the pipes; the lock is released once ssh is dead, and the import meets the
    /// end of its input mid-stream. Returns once the copy and the far keel have ended.
    private static func interrupt(
        _ fixture: SSHCopyFixture, _ direction: String, _ paths: [StorePath], waitingRoot: String
    ) throws -> (status: Int32, stderr: String) {
        try FileSystem.makeDirectories(waitingRoot + "/db")
        let collectionLock = try FileSystem.openOrCreate(Array((waitingRoot + "/db/gc.lock").utf8))
        var lockHeld = true
        defer { if lockHeld { FileSystem.close(collectionLock) } }
        try FileSystem.lock(collectionLock, exclusive: true)

        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: KeelBinary.path)
        copy.arguments = fixture.copyArguments(direction, paths)
        copy.environment = fixture.environment
        let errors = Pipe()
        copy.standardError = errors
        copy.standardOutput = FileHandle.nullDevice
        try copy.run()
        let copyPidfd = try #require(try ProcessTree.openPidfd(copy.processIdentifier))
        defer { FileSystem.close(copyPidfd) }
        let stderr = SSHOutputWaiter(errors)
        let waiting = stderr.wait(for: "waiting for a garbage collection")
        if !waiting { _ = try? ProcessControl.signal(pidfd: copyPidfd, SIGKILL) }
        try #require(waiting, "the import never waited for the lock: \(stderr.text)")

        let processes = try ProcessTree.snapshot()
        let sshPid = try #require(processes.first { $0.parent == copy.processIdentifier && !$0.isZombie }?.pid)
        let farPid = try #require(processes.first { isFarServe($0.pid, farRoot: fixture.farRoot) }?.pid)
        let sshPidfd = try #require(try ProcessTree.openPidfd(sshPid))
        defer { FileSystem.close(sshPidfd) }
        let farPidfd = try #require(try ProcessTree.openPidfd(farPid))
        defer { FileSystem.close(farPidfd) }
        #expect(try ProcessControl.signal(pidfd: sshPidfd, SIGKILL) == .delivered)
        FileSystem.close(collectionLock)
        lockHeld = false
        let watchdog = Watchdog.start {
            _ = try? ProcessControl.signal(pidfd: farPidfd, SIGKILL)
            _ = try? ProcessControl.signal(pidfd: copyPidfd, SIGKILL)
        }
        defer { watchdog.cancel() }
        _ = try Polling.waitForInput([farPidfd])
        let message = stderr.readToEnd()
        copy.waitUntilExit()
        return (copy.terminationStatus, message)
    }

    /// Whether `pid` is the far side's `keel store serve` for `farRoot` (not the shell before it).
    private static func isFarServe(_ pid: Int32, farRoot: String) -> Bool {
        guard let bytes = try? FileSystem.readWholeFile("/proc/\(pid)/cmdline", limit: 1 << 16) else { return false }
        let arguments = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.first == KeelBinary.path && arguments.contains("serve") && arguments.contains(farRoot)
    }

    @Test("Unusable destinations fail with one line naming the host")
    func failuresNameTheHost() throws {
        let fixture = try SSHCopyFixture()
        defer { fixture.remove() }
        let (top, _) = try fixture.makeClosure()
        var arguments = fixture.copyArguments("--to", [top])
        arguments[try #require(arguments.firstIndex(of: "--remote-keel")) + 1] = "/nonexistent/keel"
        let missingKeel = try ProcessRunner.run(KeelBinary.path, arguments, environment: fixture.environment)
        #expect(missingKeel.status == 1)
        #expect(missingKeel.errorOutput.contains("keel: ssh://127.0.0.1 could not run keel store serve"))

        var environment = fixture.environment
        environment["KEEL_SSHOPTS"] = fixture.server.sshOptions.replacingOccurrences(
            of: "-p \(fixture.server.port)", with: "-p 1")
        let refused = try ProcessRunner.run(
            KeelBinary.path, fixture.copyArguments("--to", [top]), environment: environment)
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("keel: cannot reach ssh://127.0.0.1: ssh exited with status 255"))

        var withoutStoreDirectory = fixture.copyArguments("--to", [top])
        let option = try #require(withoutStoreDirectory.firstIndex(of: "--remote-store-dir"))
        withoutStoreDirectory.removeSubrange(option...option + 1)
        let otherDirectory = try ProcessRunner.run(
            KeelBinary.path, withoutStoreDirectory, environment: fixture.environment)
        #expect(otherDirectory.status == 1)
        #expect(otherDirectory.errorOutput.contains("the store directory of ssh://127.0.0.1 is"))
    }
}
