import Foundation
import KeelLinux
import KeelTesting
import SystemPackage

/// A real nginx serving a directory on a loopback port: its listening socket is made by the
/// test and inherited (`NGINX=0;`, on stdin), so nginx is reachable the moment it starts and
/// no port can be taken in between. `stop()` ends it and its workers.
final class SubstitutionNginx {
    let port: Int
    private let process: Process
    /// nginx's pidfd, opened while it is known to run: signals reach it and never a process that
    /// took its pid after it was reaped.
    private let pidfd: FileDescriptor?

    /// Whether nginx is installed where Debian's nginx-light puts it.
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    /// Starts nginx serving `directory`, its configuration and pid file under `prefix`.
    init(serving directory: String, prefix: String) throws {
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let socket = try SubstitutionListeningSocket()
        defer { socket.close() }
        port = socket.port
        let user = geteuid() == 0 ? "user root;" : ""
        let configuration = """
            \(user) daemon off; master_process on; worker_processes 2; pid \(prefix)/nginx.pid; error_log stderr;
            events { worker_connections 256; }
            http { access_log off; default_type application/octet-stream;
              client_body_temp_path \(prefix)/body; proxy_temp_path \(prefix)/proxy;
              fastcgi_temp_path \(prefix)/fastcgi; uwsgi_temp_path \(prefix)/uwsgi; scgi_temp_path \(prefix)/scgi;
              server { listen 127.0.0.1:\(port); root \(directory); } }
            """
        try configuration.write(toFile: "\(prefix)/nginx.conf", atomically: false, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix, "-c", "\(prefix)/nginx.conf", "-e", "stderr"]
        process.environment = ["NGINX": "0;", "PATH": "/usr/sbin:/usr/bin:/bin"]
        process.standardInput = FileHandle(fileDescriptor: socket.descriptor, closeOnDealloc: false)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
    }

    /// The cache URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Ends nginx (SIGTERM through its pidfd: its master stops the workers) and waits for it.
    func stop() {
        if let pidfd {
            _ = try? ProcessControl.signal(pidfd: pidfd, SIGTERM)
        } else if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
    }

    deinit {
        stop()
        if let pidfd { FileSystem.close(pidfd) }
    }
}
