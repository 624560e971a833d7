import KeelConfig
import KeelTesting
import Testing

/// A valid keel.toml read into its configuration: every key lands where it belongs, defaults fill
/// what is left out, and the reading does not depend on how the file is spelled.
@Suite("keel.toml reading", .ownThreads)
struct ConfigLoaderTests {
    @Test("a full-featured keel.toml: host, safeswitch, every kind of package, agents")
    func fullDocument() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse(ConfigFixture.fullDocument)
        #expect(configuration.file == "keel.toml")
        #expect(configuration.directory == fixture.directory)

        let host = configuration.host
        #expect(host.name == "fuzz-host")
        #expect(host.system == "x86_64-linux")
        #expect(host.environment.map(\.key) == ["LANG", "TZ"])
        #expect(host.environment.map(\.value.value) == ["C.UTF-8", "UTC"])
        #expect(host.logMaxSize == ByteSize(bytes: 16 << 20))
        #expect(host.logFiles == 4)

        let safeSwitch = configuration.safeSwitch
        #expect(safeSwitch.probation == ConfigDuration(milliseconds: 45_000))
        #expect(safeSwitch.crashLoopExits == 5)
        #expect(safeSwitch.crashLoopWithin == ConfigDuration(milliseconds: 120_000))
        #expect(safeSwitch.unhealthyChecks == 4)
        #expect(safeSwitch.readyTimeout == ConfigDuration(milliseconds: 90_000))

        #expect(configuration.packages.map(\.name) == ["busybox", "legacy", "page", "site", "tools"])
        #expect(configuration.packages.map(\.kindName) == ["fetch", "drv", "derivation", "src", "fetch"])
        guard case .source(let site) = configuration.package("site")?.kind,
            case .fetch(let busybox) = configuration.package("busybox")?.kind,
            case .fetch(let tools) = configuration.package("tools")?.kind,
            case .derivation(let page) = configuration.package("page")?.kind,
            case .nixDerivation(let legacy) = configuration.package("legacy")?.kind
        else {
            Issue.record("a package has the wrong kind: \(configuration.packages.map(\.kindName))")
            return
        }
        #expect(site.path == ConfigString("./site", at: position(16, 7)))
        #expect(site.resolvedPath == fixture.directory + "/site")
        #expect(busybox.url.value == "https://example.com/busybox")
        #expect(busybox.hash == "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(busybox.executable && !busybox.unpack)
        #expect(tools.unpack && !tools.executable && tools.hash == nil)
        #expect(page.builder == ConfigString("${packages.busybox}", at: position(28, 11)))
        #expect(
            page.arguments.map(\.value) == [
                "sh", "-c", "mkdir $out && cp -r ${packages.site}/. $out/ && echo \"${packages.tools}\"",
            ])
        #expect(page.arguments.map(\.position) == [position(29, 9), position(29, 15), position(29, 21)])
        #expect(page.environment.map(\.key) == ["GREETING"])
        #expect(page.environment.map(\.value.value) == ["héllo wörld"])
        #expect(page.inputs.map(\.value) == ["busybox", "site"])
        #expect(page.system == "x86_64-linux")
        #expect(legacy.path.value == "./legacy.drv")
        #expect(legacy.resolvedPath == fixture.directory + "/legacy.drv")
        #expect(legacy.output == "out")
        #expect(configuration.package("page")?.position == position(27, 1))

        #expect(configuration.agents.map(\.name) == ["checker", "web", "worker"])
        let web = try #require(configuration.agents.first { $0.name == "web" })
        #expect(web.position == position(38, 1))
        #expect(web.command.map(\.value) == ["${packages.busybox}", "httpd", "-f", "-h", "${packages.page}"])
        #expect(web.environment.map(\.key) == ["DATA", "PORT"])
        #expect(web.packages.map(\.value) == ["busybox", "tools"])
        #expect(web.hostPaths.map(\.value) == ["/etc/ssl/certs"])
        #expect(web.restart.policy == .always)
        #expect(web.restart.initialBackoff == ConfigDuration(milliseconds: 250))
        #expect(web.restart.maximumBackoff == ConfigDuration(milliseconds: 60_000))
        #expect(web.health?.probe == .http("http://127.0.0.1:8080/"))
        #expect(web.health?.interval == ConfigDuration(milliseconds: 5_000))
        #expect(web.health?.timeout == ConfigDuration(milliseconds: 1_000))
        #expect(web.health?.failureThreshold == 3)
        #expect(web.ready == .health)
        #expect(web.readyTimeout == ConfigDuration(milliseconds: 5_400_000))
        #expect(web.limits.memory == ByteSize(bytes: 512 << 20))
        #expect(web.limits.pids == 64 && web.limits.cpuMillis == 1500 && web.limits.openFiles == 1024)
        #expect(web.isolation == .strict)
        #expect(web.stopTimeout == ConfigDuration(milliseconds: 1_500))
        #expect(web.user == "1000")
        #expect(web.workingDirectory == "/var/lib/web")
        #expect(web.state == .ephemeral)

        let worker = try #require(configuration.agents.first { $0.name == "worker" })
        #expect(worker.dependsOn == [ConfigString("web", at: position(56, 15))])
        #expect(worker.health?.probe == .tcp(host: "127.0.0.1", port: 8080))
        #expect(worker.health?.interval == ConfigDuration(milliseconds: 10_000))
        #expect(worker.watchdog == ConfigDuration(milliseconds: 30_000))
        #expect(worker.ready == .started)
        #expect(worker.restart == .defaults)
        #expect(worker.isolation == .none)
        #expect(worker.state == .keep)
        #expect(worker.stopTimeout == ConfigDuration(milliseconds: 10_000))

        let checker = try #require(configuration.agents.first { $0.name == "checker" })
        #expect(checker.command.map(\.value) == ["${packages.busybox}", "sleep", "infinity"])
        #expect(checker.dependsOn.map(\.value) == ["web", "worker"])
        #expect(checker.ready == .notify)
        guard case .exec(let argv) = checker.health?.probe else {
            Issue.record("checker's health check is not exec")
            return
        }
        #expect(argv.map(\.value) == ["${packages.busybox}", "wget", "-q", "http://127.0.0.1:8080/"])
        #expect(checker.health?.interval == ConfigDuration(milliseconds: 60_000))
    }

    @Test("the smallest keel.toml: defaults for everything but the host's name")
    func defaults() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse("[host]\nname = \"h\"\n")
        #expect(configuration.host.name == "h")
        #expect(configuration.host.system.hasSuffix("-linux"))
        #expect(configuration.host.environment.isEmpty)
        #expect(configuration.host.logMaxSize == ByteSize(bytes: 10 << 20))
        #expect(configuration.host.logFiles == 5)
        #expect(configuration.safeSwitch == .defaults)
        #expect(configuration.packages.isEmpty && configuration.agents.isEmpty)
        // The bytes' SHA-256, as python3's hashlib gives it for the same two lines.
        #expect(configuration.contentHash == "sha256-h5iM8NfxWXyOBKdGXJk1Vcn8vWNDMyuoBDF+G3tbSiI=")
    }

    @Test("the same document spelled differently reads the same: key order, dotted keys, inline tables, CRLF, BOM")
    func spellingDoesNotMatter() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let plain = """
            [host]
            name = "box"
            [agents.web]
            command = ["web", "-v"]
            restart = { policy = "never", max_backoff = "2m" }
            depends_on = ["db"]
            [agents.db]
            command = ["db"]
            """
        let reordered = """
            agents.db.command = ['db']
            [agents.web.restart]
            max_backoff = "2m"
            policy = "never"
            [agents.web]
            depends_on = ["db"]
            command = [
              "web",
              "-v",  # trailing comma and comments
            ]
            [host]
            name = "\\u0062ox"
            """
        let reference = try fixture.parse(plain)
        let crlf = plain.replacingOccurrences(of: "\n", with: "\r\n")
        for spelling in [reordered, crlf, "\u{FEFF}" + plain] {
            let configuration = try fixture.parse(spelling)
            #expect(configuration.host == reference.host)
            #expect(configuration.agents.map(summary) == reference.agents.map(summary))
        }
        #expect(reference.agents.map(summary) == ["db [db] [] on-failure", "web [web -v] [db] never"])
    }

    /// What an agent says, without where it says it.
    private func summary(_ agent: AgentSpec) -> String {
        let command = agent.command.map(\.value).joined(separator: " ")
        let dependencies = agent.dependsOn.map(\.value).joined(separator: " ")
        return "\(agent.name) [\(command)] [\(dependencies)] \(agent.restart.policy.rawValue)"
    }

    @Test("positions are the same with CRLF line ends and after a byte order mark")
    func positionsWithCRLFAndBOM() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = "[host]\nname = \"box\"\nlog_files = \"x\"\n[agents.web]\ncommand = [\"${packages.no}\"]\n"
        let expected = [
            "keel.toml:3:13: 'host.log_files' must be an integer, not a string",
            "keel.toml:5:13: unknown package 'no' in ${packages.no}",
        ]
        #expect(fixture.problems(document) == expected)
        #expect(fixture.problems(document.replacingOccurrences(of: "\n", with: "\r\n")) == expected)
        #expect(fixture.problems("\u{FEFF}" + document) == expected)
        #expect(
            fixture.problems("\u{FEFF}[host]\u{0}\nname = \"box\"\n") == [
                "keel.toml:1:7: a NUL character is not allowed in TOML"
            ])
        let notUTF8 = Array("[host]\nname = \"bé".utf8) + [0xFF] + Array("\"\n".utf8)
        #expect(throws: ConfigErrors.self) { try ConfigLoader.parse(notUTF8, file: "k.toml", directory: "/") }
        do { _ = try ConfigLoader.parse(notUTF8, file: "k.toml", directory: "/") } catch {
            #expect(error.description == "k.toml:2:11: the file is not valid UTF-8")
        }
    }

    @Test("${packages.…} references: $${ is a literal, other ${…} are left alone; expansion")
    func references() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            [packages.site]
            src = "./site"
            [agents.web]
            command = ["sh", "-c", "echo $${packages.none} ${HOME} ${packages.site}/x"]
            """
        let web = try #require(try fixture.parse(document).agents.first)
        let script = web.command[2].value
        #expect(
            try PackageReference.occurrences(in: script).map(\.name) == ["site"])
        #expect(
            PackageReference.expand(script) { $0 == "site" ? "/store/abc-site" : nil }
                == "echo ${packages.none} ${HOME} /store/abc-site/x")
        // Offsets count Unicode scalars, as columns do: "é" and a combining accent are one each.
        #expect(try PackageReference.occurrences(in: "e\u{301}é${packages.a}").map(\.offset) == [3])
    }

    @Test("a valid document's problems list is empty and reading it twice gives the same configuration")
    func deterministic() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(fixture.problems(ConfigFixture.fullDocument).isEmpty)
        #expect(try fixture.parse(ConfigFixture.fullDocument) == fixture.parse(ConfigFixture.fullDocument))
        let other = try fixture.parse(ConfigFixture.fullDocument + "\n# a comment changes the hash\n")
        #expect(other.contentHash != (try fixture.parse(ConfigFixture.fullDocument)).contentHash)
    }

    @Test("a file larger than the limit is refused before it is parsed")
    func tooLarge() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: ConfigLoader.maximumSize + 1)
        #expect(throws: ConfigErrors.self) { try ConfigLoader.parse(bytes, file: "big.toml", directory: "/") }
        do {
            _ = try ConfigLoader.parse(bytes, file: "big.toml", directory: "/")
        } catch {
            #expect(error.description == "big.toml:1:1: the file is larger than 16 MiB")
        }
    }

    /// A position in the tests' documents.
    private func position(_ line: Int, _ column: Int) -> SourcePosition {
        SourcePosition(line: line, column: column)
    }
}
