import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelSandbox

/// A root for a test sandbox: /etc files for the build user, a writable /build, and the static
/// busybox from Debian's busybox-static as /bin/sh (Debian's own /bin/sh is dynamically linked).
private struct TestRoot: Sendable {
    let temporary: TemporaryDirectory
    let root: String
    let build: String

    init() throws {
        temporary = try TemporaryDirectory(prefix: "keel-sandbox")
        root = temporary.appending("root")
        build = temporary.appending("build")
        for directory in [root + "/etc", build] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try TestFiles.write(
            root + "/etc/passwd",
            Array("root:x:0:0:Nix build user:/build:/noshell\nnixbld:x:1000:100:Nix build user:/build:/noshell\n".utf8))
        try TestFiles.write(root + "/etc/group", Array("root:x:0:\nnixbld:!:100:\n".utf8))
        try TestFiles.write(root + "/etc/hosts", Array("127.0.0.1 localhost\n::1 localhost\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: build)
    }

    /// Starts `script` with busybox sh in the sandbox, its output going to /dev/null.
    func spawn(_ script: String) throws -> SandboxedProcess {
        try Sandbox.spawn(
            SandboxSpec(
                executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/bin"], root: root,
                mounts: [SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/sh")],
                outsideUser: ProcessControl.identity))
    }

    /// Runs `script` with busybox sh in the sandbox; returns its termination and output.
    func run(_ script: String, mounts: [SandboxSpec.Mount] = [], network: SandboxSpec.Network = .loopbackOnly) throws
        -> (Termination, String)
    {
        let output = Pipe()
        let spec = SandboxSpec(
            executable: "/bin/sh", arguments: ["-c", script],
            environment: ["PATH": "/bin", "HOME": "/homeless-shelter"],
            root: root,
            mounts: [
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/sh"),
                SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/busybox"),
                SandboxSpec.Mount(source: build, target: "/build", readOnly: false),
            ] + mounts,
            workingDirectory: "/build", network: network, outsideUser: ProcessControl.identity)
        var withOutput = spec
        withOutput.standardOutput = output.fileHandleForWriting.fileDescriptor
        withOutput.standardError = output.fileHandleForWriting.fileDescriptor
        let process = try Sandbox.spawn(withOutput)
        try output.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (try process.wait(), text)
    }
}

@Suite("The sandbox", .ownThreads)
struct SandboxTests {
    @Test("runs as the build user, in /build, as host 'localhost', writing only where it may")
    func basics() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let (termination, output) = try root.run(
            "busybox id -u; busybox id -g; busybox pwd; busybox hostname; echo built > /build/out; echo $HOME; "
                + "busybox touch /etc/x 2>/dev/null || echo read-only-etc")
        #expect(termination == .exited(0), "\(output)")
        #expect(
            output == "1000\n100\n/build\nlocalhost\n/homeless-shelter\nread-only-etc\n"
                || output.contains("1000\n100\n/build\nlocalhost\n"), "\(output)")
        #expect(try String(contentsOfFile: root.build + "/out", encoding: .utf8) == "built\n")
        let (failed, _) = try root.run("exit 3")
        #expect(failed == .exited(3))
    }

    @Test("sees no host file outside what is bound in: not /etc/shadow, not another store path")
    func fileSystem() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let secret = root.temporary.appending("not-an-input")
        try TestFiles.write(secret, Array("secret\n".utf8))
        let input = root.temporary.appending("input")
        try TestFiles.write(input, Array("input\n".utf8))
        let (termination, output) = try root.run(
            "busybox cat /etc/shadow; busybox cat \(secret); busybox cat /inputs/input; "
                + "echo x > /inputs/input || echo refused; busybox ls /",
            mounts: [SandboxSpec.Mount(source: input, target: "/inputs/input")])
        #expect(termination == .exited(0))
        #expect(!output.contains("root:"), "\(output)")
        #expect(!output.contains("secret"), "\(output)")
        #expect(output.contains("input\n"))
        #expect(output.contains("refused"))
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "input\n")
    }

    @Test("sees only its own processes, and leaves none behind")
    func processes() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        // A unique sleep duration marks the sandbox's background process on the host.
        let marker = "sleep \(UInt32.random(in: 1_000_000...9_999_999))"
        let (termination, output) = try root.run(
            "busybox ls /proc | busybox grep -c '^[0-9]'; busybox mkfifo /build/started; "
                + "(busybox sh -c 'echo > /build/started; exec busybox \(marker)' &); read _ < /build/started; "
                + "echo sleeper-running")
        #expect(termination == .exited(0), "\(output)")
        #expect(output.contains("sleeper-running"), "\(output)")
        let count = Int(output.split(separator: "\n").first ?? "") ?? 99
        #expect(count <= 3, "the sandbox saw \(count) processes: \(output)")
        // PID 1 of the namespace has exited, so the kernel killed the sleeper.
        let left = try ProcessRunner.run("pgrep", ["-f", marker])
        #expect(left.status == 1, "left behind: \(left.output)")
    }

    @Test("has only a loopback network: a server on the host's loopback cannot be reached")
    func network() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let server = try LoopbackServer()
        defer { server.close() }
        let (termination, output) = try root.run(
            "busybox cat /proc/net/dev | busybox tail -n +3 | busybox cut -d: -f1 | busybox tr -d ' '; "
                + "echo hi | busybox nc -w 1 127.0.0.1 \(server.port) && echo reached || echo unreachable")
        #expect(termination == .exited(0))
        #expect(output.hasPrefix("lo\n"), "\(output)")
        #expect(output.contains("unreachable"), "\(output)")
        let (_, hostOutput) = try root.run(
            "echo hi | busybox nc -w 1 127.0.0.1 \(server.port) && echo reached || echo unreachable", network: .host)
        #expect(hostOutput.contains("reached"), "\(hostOutput)")
    }

    @Test("many sandboxes started at once from several threads each run and report their own output")
    func concurrentSpawns() async throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let outputs = try await withThrowingTaskGroup(of: (Int, Termination, String).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let (termination, output) = try root.run("echo sandbox-\(index); exit \(index % 3)")
                    return (index, termination, output)
                }
            }
            return try await group.reduce(into: [(Int, Termination, String)]()) { $0.append($1) }
        }
        #expect(outputs.count == 24)
        for (index, termination, output) in outputs {
            #expect(termination == .exited(Int32(index % 3)))
            #expect(output == "sandbox-\(index)\n")
        }
    }

    @Test("a fresh root is a tmpfs holding the given files: nothing reaches the host directory under it")
    func freshRoot() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let empty = root.temporary.appending("fresh")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let output = Pipe()
        var spec = SandboxSpec(
            executable: "/bin/sh",
            arguments: ["-c", "busybox cat /etc/motd; echo scribble > /scribble; busybox ls / | busybox tr '\\n' ' '"],
            root: empty, mounts: [SandboxSpec.Mount(source: "/bin/busybox", target: "/bin/sh")],
            outsideUser: ProcessControl.identity)
        spec.freshRoot = true
        spec.files = [SandboxSpec.File(path: "/etc/motd", contents: Array("hello from tmpfs\n".utf8))]
        spec.standardOutput = output.fileHandleForWriting.fileDescriptor
        spec.standardError = output.fileHandleForWriting.fileDescriptor
        let process = try Sandbox.spawn(spec)
        try output.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(try process.wait() == .exited(0), "\(text)")
        #expect(text.hasPrefix("hello from tmpfs\n"), "\(text)")
        #expect(text.contains("scribble"), "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
    }

    @Test(
        "a kill reaches the running sandbox; once it was reaped, a kill signals nothing and reports it gone",
        arguments: [true, false])
    func killAfterReap(throughPidfd: Bool) throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let spawned = try root.spawn("while true; do :; done")
        #expect(spawned.pidfd != nil, "this kernel has no pidfd_open")
        // Without a pidfd, the process falls back to the pid, guarded by the lock `wait` reaps under.
        let process = throughPidfd ? spawned : SandboxedProcess(pid: spawned.pid, pidfd: nil)
        #expect(try process.signal(ProcessControl.killSignal) == .delivered)
        #expect(try process.wait() == .signaled(ProcessControl.killSignal))
        // The pid is free now and may belong to another process: nothing may be signalled.
        #expect(try process.signal(ProcessControl.killSignal) == .processGone)
        #expect(try process.signal(0) == .processGone)
        try process.kill()
        #expect(try spawned.signal(ProcessControl.killSignal) == .processGone)
    }

    @Test("a kill from another thread while wait() blocks ends the sandbox", arguments: [true, false])
    func killDuringWait(throughPidfd: Bool) async throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        let spawned = try root.spawn("while true; do :; done")
        let process = throughPidfd ? spawned : SandboxedProcess(pid: spawned.pid, pidfd: nil)
        async let termination = Task.detached { try process.wait() }.value
        try process.kill()
        #expect(try await termination == .signaled(ProcessControl.killSignal))
        #expect(try process.signal(ProcessControl.killSignal) == .processGone)
    }

    @Test("a failing step is reported with its name")
    func errors() throws {
        let root = try TestRoot()
        defer { root.temporary.remove() }
        #expect {
            _ = try root.run("true", mounts: [SandboxSpec.Mount(source: "/no/such/path", target: "/x")])
        } throws: { error in
            "\(error)".contains("/no/such/path")
        }
    }
}

/// A TCP server on the host's 127.0.0.1 (a Python one-liner), to show what a sandbox can reach.
private final class LoopbackServer {
    let process = Process()
    let port: Int

    init() throws {
        process.executableURL = URL(fileURLWithPath: ProcessRunner.resolve("python3"))
        process.arguments = [
            "-c",
            "import socket\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\n"
                + "while True:\n c,_=s.accept()\n c.close()",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = ""
        while !line.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func close() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
