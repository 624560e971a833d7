import Foundation
import KeelLinux
import KeelTesting
import SystemPackage

/// A real `/usr/sbin/sshd` started by a test on a free loopback port, in the foreground, with a
/// throwaway host key and user key, stopped with SIGTERM through a pidfd.
///
/// Two Keel roots can share paths only with the same store directory, and two roots on one
/// machine cannot share one directory: so sshd runs in a mount namespace of its own
/// (`unshare --mount`) where the far root's store directory is bound over the near one's path.
/// Everything the far side's keel does lands in `farStore`; the test process sees the near one.
final class SSHTestServer {
    /// Holds the keys, the config, known_hosts.
    let directory: TemporaryDirectory
    /// The port sshd listens on at 127.0.0.1.
    private(set) var port = 0
    private var pid: Int32?
    private var pidfd: FileDescriptor?

    /// Starts sshd, binding `farStore` over `storeDirectory` for everything it runs.
    init(farStore: String, storeDirectory: String) throws {
        directory = try TemporaryDirectory(prefix: "keel-ssh")
        for key in ["host_key", "user_key"] {
            let made = try ProcessRunner.run(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory.appending(key)])
            guard made.status == 0 else { throw SSHTestError("ssh-keygen failed: \(made.errorOutput)") }
        }
        try FileManager.default.copyItem(
            atPath: directory.appending("user_key.pub"), toPath: directory.appending("authorized_keys"))
        // sshd insists on its privilege separation directory.
        try FileSystem.makeDirectories("/run/sshd")
        for _ in 0..<20 {
            if try start(port: Int.random(in: 20_000..<60_000), farStore: farStore, storeDirectory: storeDirectory) {
                return
            }
        }
        throw SSHTestError("sshd could not listen on any of 20 loopback ports")
    }

    /// Starts sshd on `port`; false when it could not listen there (the port was taken).
    private func start(port: Int, farStore: String, storeDirectory: String) throws -> Bool {
        let config = directory.appending("sshd_config")
        let log = directory.appending("sshd-\(port).log")
        try """
        ListenAddress 127.0.0.1
        Port \(port)
        HostKey \(directory.appending("host_key"))
        AuthorizedKeysFile \(directory.appending("authorized_keys"))
        PermitRootLogin prohibit-password
        StrictModes no
        UsePAM no
        PidFile none

        """.write(toFile: config, atomically: true, encoding: .utf8)
        try Data().write(to: URL(fileURLWithPath: log))
        let watcher = try FileWatcher(path: log)
        // unshare execs sh, which execs sshd: the pid (and pidfd) is sshd's from then on.
        let pid = try ProcessSpawn.start(
            "/usr/bin/unshare",
            arguments: [
                "unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                #"mount --bind "$1" "$2" && exec /usr/sbin/sshd -D -E "$4" -f "$3""#, "sh", farStore, storeDirectory,
                config, log,
            ])
        guard let pidfd = try ProcessTree.openPidfd(pid) else { throw SSHTestError("sshd ended at once") }
        self.pid = pid
        self.pidfd = pidfd
        // The watchdog: an sshd that neither listens nor fails within the limit is killed, and a
        // line in its log wakes the wait below.
        let watchdog = Watchdog.start {
            _ = try? ProcessControl.signal(pidfd: pidfd, SIGKILL)
            if let handle = FileHandle(forWritingAtPath: log) {
                handle.seekToEndOfFile()
                handle.write(Data("watchdog: sshd did not start\n".utf8))
            }
        }
        defer { watchdog.cancel() }
        while true {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("Server listening on 127.0.0.1 port \(port)") {
                self.port = port
                return true
            }
            if text.contains("Address already in use") || text.contains("Cannot bind any address") {
                stopProcess()
                return false
            }
            if text.contains("watchdog:") || text.contains("fatal") || text.contains("mount:") {
                stopProcess()
                throw SSHTestError("sshd did not start: \(text)")
            }
            try watcher.waitForChange()
        }
    }

    /// Stops sshd (SIGTERM through its pidfd) and reaps it.
    private func stopProcess() {
        guard let pidfd, let pid else { return }
        _ = try? ProcessControl.signal(pidfd: pidfd, SIGTERM)
        _ = try? ProcessControl.wait(pid)
        FileSystem.close(pidfd)
        self.pidfd = nil
        self.pid = nil
    }

    /// The value of KEEL_SSHOPTS that reaches this server as root with the throwaway key.
    var sshOptions: String {
        "-p \(port) -i \(directory.appending("user_key")) -o UserKnownHostsFile=\(directory.appending("known_hosts"))"
            + " -o StrictHostKeyChecking=accept-new -o BatchMode=yes"
    }

    /// Stops sshd (SIGTERM through its pidfd), waits for it and removes the keys.
    func stop() {
        stopProcess()
        directory.remove()
    }

    deinit { stop() }
}
