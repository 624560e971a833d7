/// The demo's two keel.toml files: a good generation with two sample agents (web, an HTTP
/// agent with a health endpoint; worker, which speaks the notify protocol and sends
/// heartbeats), and a broken one whose web exits at once with status 1.
///
/// web runs on a Debian Python runtime (Debian's python3.11, pinned in keel.lock, in its own
/// view) when the host can lock one; else the built-in test agent plays it.
enum DemoConfiguration {
    /// The probation the demo's generations get (short, so the demo is quick).
    static let probation = "3s"

    /// Who plays web.
    enum Web: Sendable {
        /// `server.py` on Debian's Python, in the runtime's view.
        case python
        /// `keel test-agent`.
        case testAgent
    }

    /// The Debian packages of web's runtime.
    static let pythonPackages = #"["python3.11-minimal", "libpython3.11-stdlib"]"#

    /// What web's runtime leaves out of its packages.
    static let pythonLeaveOut = #"["/usr/lib/x86_64-linux-gnu/gconv"]"#

    /// web's program on the Python runtime: GET /health answers "ok", anything else a greeting.
    static let server = """
        # keel demo's web agent, run by Debian's Python from the runtime package "py".
        import http.server
        import sys

        host, port = sys.argv[1], int(sys.argv[2])


        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"ok\\n" if self.path == "/health" else b"hello from keel demo's web, on Debian's Python\\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass


        http.server.HTTPServer((host, port), Handler).serve_forever()

        """

    /// The good generation, its web serving HTTP on `port` of 127.0.0.1.
    static func good(port: Int, web: Web) -> String {
        switch web {
        case .python:
            text(
                port: port, web: #"["python3.11", "${packages.web}/server.py", "127.0.0.1", "\#(port)"]"#, python: true)
        case .testAgent:
            text(
                port: port,
                web: #"["${packages.keel}/keel", "test-agent", "--name", "web", "--http", "127.0.0.1:\#(port)"]"#,
                python: false)
        }
    }

    /// The broken generation: the same, but web exits with status 1 as soon as it has started.
    static func broken(port: Int, web: Web) -> String {
        switch web {
        case .python:
            text(port: port, web: #"["python3.11", "-c", "import sys; sys.exit(1)"]"#, python: true)
        case .testAgent:
            text(
                port: port,
                web: #"["${packages.keel}/keel", "test-agent", "--name", "web", "--http", "127.0.0.1:\#(port)", "#
                    + #""--exit-after", "0", "--exit-code", "1"]"#,
                python: false)
        }
    }

    private static func text(port: Int, web: String, python: Bool) -> String {
        let runtime =
            python
            ? """

            # Debian's Python 3.11, resolved against this host's apt lists and pinned by hash in
            # keel.lock; web runs in its view (its /usr, /lib and /etc, nothing of the host's).
            [packages.py]
            debian = \(pythonPackages)
            # glibc's iconv modules (8 MiB) are not unpacked: Python's codecs are its own.
            leave_out = \(pythonLeaveOut)

            [packages.web]
            src = "./web"

            """ : "\n"
        return """
            # Written by `keel demo`. bin/ holds a copy of the keel binary, whose hidden
            # `keel test-agent` plays worker\(python ? "" : " and web").
            [host]
            name = "demo"

            [packages.keel]
            src = "./bin"
            \(runtime)
            [agents.web]
            command = \(web)
            \(python ? "packages = [\"py\"]\n" : "")ready = "health"
            health = { http = "http://127.0.0.1:\(port)/health", interval = "1s" }

            [agents.worker]
            command = ["${packages.keel}/keel", "test-agent", "--name", "worker", "--ready-after", "200", "--heartbeat", \
            "--status", "working"]
            ready = "notify"
            watchdog = "2s"
            depends_on = ["web"]

            [safeswitch]
            probation = "\(probation)"

            """
    }
}
