/// The demo's two keel.toml files: a good generation with two sample agents (web, an HTTP
/// agent with a health endpoint; worker, which speaks the notify protocol and sends
/// heartbeats), and a broken one whose web exits at once with status 1.
enum DemoConfiguration {
    /// The probation the demo's generations get (short, so the demo is quick).
    static let probation = "3s"

    /// The good generation, its web serving HTTP on `port` of 127.0.0.1.
    static func good(port: Int) -> String { text(port: port, webExtra: "") }

    /// The broken generation: the same, but web exits with status 1 as soon as it has started.
    static func broken(port: Int) -> String {
        text(port: port, webExtra: #", "--exit-after", "0", "--exit-code", "1""#)
    }

    private static func text(port: Int, webExtra: String) -> String {
        """
        # Written by `keel demo`. bin/ holds a copy of the keel binary, whose hidden
        # `keel test-agent` plays both sample agents.
        [host]
        name = "demo"

        [packages.keel]
        src = "./bin"

        [agents.web]
        command = ["${packages.keel}/keel", "test-agent", "--name", "web", "--http", "127.0.0.1:\(port)"\(webExtra)]
        ready = "health"
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
