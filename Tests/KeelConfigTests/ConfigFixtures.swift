import Foundation
import KeelConfig
import KeelTesting

/// Shared material for the keel.toml tests: a directory holding what a valid configuration points
/// at, a full-featured valid keel.toml, and shorthands for reading problems.
struct ConfigFixture {
    /// The directory keel.toml is read from; it holds `site/` and `legacy.drv`.
    let temporary: TemporaryDirectory

    /// A fresh directory with the source tree and the .drv file `fullDocument` names.
    init() throws {
        temporary = try TemporaryDirectory(prefix: "keel-config")
        try FileManager.default.createDirectory(atPath: temporary.appending("site"), withIntermediateDirectories: false)
        try TestFiles.write(temporary.appending("site/index.html"), Array("<p>hi</p>\n".utf8))
        try TestFiles.write(temporary.appending("legacy.drv"), Array("Derive([])".utf8))
    }

    /// The directory relative paths are resolved against.
    var directory: String { temporary.path }

    /// Removes the directory.
    func remove() { temporary.remove() }

    /// Parses `text` as keel.toml read from this fixture's directory.
    func parse(_ text: String, file: String = "keel.toml") throws(ConfigErrors) -> HostConfiguration {
        try ConfigLoader.parse(Array(text.utf8), file: file, directory: directory)
    }

    /// The problems of `text`, one `FILE:LINE:COL: message` line each; empty when it is valid.
    func problems(_ text: String, file: String = "keel.toml") -> [String] {
        do {
            _ = try parse(text, file: file)
            return []
        } catch {
            return error.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// A keel.toml that uses every kind of package and most agent settings; valid in this
    /// fixture's directory. The fuzz mutates it.
    static let fullDocument = """
        # A host with every kind of package.
        [host]
        name = "fuzz-host"
        system = "x86_64-linux"
        env = { LANG = "C.UTF-8", TZ = "UTC" }
        log_max_size = "16M"
        log_files = 4

        [safeswitch]
        probation = "45s"
        crash_loop = { exits = 5, within = "2m" }
        unhealthy_checks = 4
        ready_timeout = "90s"

        [packages.site]
        src = "./site"

        [packages.busybox]
        url = "https://example.com/busybox"
        hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        executable = true

        [packages.tools]
        url = "https://example.com/tools.tar.gz"
        unpack = true

        [packages.page]
        builder = "${packages.busybox}"
        args = ["sh", "-c", "mkdir $out && cp -r ${packages.site}/. $out/ && echo \\"${packages.tools}\\""]
        env = { GREETING = "héllo wörld" }
        inputs = ["busybox", "site"]
        system = "x86_64-linux"

        [packages.legacy]
        drv = "./legacy.drv"
        output = "out"

        [agents.web]
        command = ["${packages.busybox}", "httpd", "-f", "-h", "${packages.page}"]
        env = { PORT = "8080", DATA = "${packages.legacy}/share" }
        packages = ["busybox", "tools"]
        host_paths = ["/etc/ssl/certs"]
        restart = { policy = "always", initial_backoff = "250ms", max_backoff = "1m" }
        health = { http = "http://127.0.0.1:8080/", interval = "5s", timeout = "1s", failure_threshold = 3 }
        ready = "health"
        ready_timeout = "1h30m"
        limits = { memory = "512M", pids = 64, cpu = "1.5", open_files = 1024 }
        isolation = "strict"
        stop_timeout = "1.5s"
        user = "1000"
        working_dir = "/var/lib/web"
        state = "ephemeral"

        [agents.worker]
        command = ["${packages.busybox}", "sh", "-c", "exec cat"]
        depends_on = ["web"]
        health = { tcp = "127.0.0.1:8080" }
        watchdog = "30s"

        [agents.checker]
        command = ['${packages.busybox}', 'sleep', 'infinity']
        depends_on = ["web", "worker"]
        health = { exec = ["${packages.busybox}", "wget", "-q", "http://127.0.0.1:8080/"], interval = "1m" }
        ready = "notify"

        """
}
