import KeelConfig
import KeelTesting
import Testing

/// Every kind of problem keel.toml can have, each reported as `keel.toml:LINE:COL: message` at
/// the place a user would fix (positions worked out by hand from the documents).
@Suite("keel.toml problems", .ownThreads)
struct ConfigProblemsTests {
    @Test("TOML syntax errors: the parser's message at the place it stopped (toml++'s position and words)")
    func syntaxErrors() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(
            fixture.problems("[host]\nname = \"box\"\nlog_files = \n") == [
                "keel.toml:3:13: Error while parsing key-value pair: expected value, saw '\\n'"
            ])
        #expect(
            fixture.problems("[host]\nname = \"box\nlog_files = 3\n") == [
                "keel.toml:2:12: Error while parsing string: unescaped control characters other than TAB (U+0009) are "
                    + "explicitly prohibited"
            ])
        #expect(
            fixture.problems("[host]\nname = \"a\"\nname = \"b\"\n") == [
                "keel.toml:3:8: Error while parsing key-value pair: cannot redefine existing string 'name'"
            ])
        #expect(
            fixture.problems("[host]\nname = \"a\"\n[agents.web\ncommand = [\"x\"]\n") == [
                "keel.toml:3:12: Error while parsing table header: expected ']', saw '\\n'"
            ])
        #expect(
            fixture.problems("[host]\nname = \"a\"\nlog_files = 0012\n") == [
                "keel.toml:3:17: Error while parsing decimal integer: leading zeroes are prohibited"
            ])
    }

    @Test("a table header with no key is refused before toml++ sees it (toml++ would fail an assertion)")
    func keylessHeaders() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let message = "a table header needs a key after its '[', as in [agents.web]"
        #expect(fixture.problems("[{") == ["keel.toml:1:2: \(message)"])
        #expect(fixture.problems("[host]\nname = \"box\"\n[\n") == ["keel.toml:3:2: \(message)"])
        #expect(fixture.problems("[host]\nname = \"box\"\n  [[ [x]]\n") == ["keel.toml:3:6: \(message)"])
        #expect(fixture.problems("\u{FEFF}[=]\r\n") == ["keel.toml:1:2: \(message)"])
        // Lines that start so inside a multi-line string or array are no headers.
        let inside = """
            [host]
            name = "box"
            [agents.web]
            command = ["sh", \"\"\"
            [{ x }
            [
            \"\"\", '''
            [[ $x ]]''',
            ]
            """
        #expect(fixture.problems(inside).isEmpty)
        // A keyless header after an earlier error: toml++ stops at that error first.
        #expect(
            fixture.problems("[host]\nname = 0012\n[{\n") == [
                "keel.toml:2:12: Error while parsing decimal integer: leading zeroes are prohibited"
            ])
    }

    @Test("tables and arrays nested deeper than 64 levels, at the value one level too deep")
    func deepNesting() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let message = "tables and arrays are nested more than 64 levels deep"
        let keys = (1...70).map { "k\(100 + $0)" }.joined(separator: ".")
        // [host] and 63 keys make 64 levels: the 63rd key (k163) is at column 1 + 62 × 5.
        #expect(fixture.problems("[host]\nname = \"box\"\n\(keys) = 1\n") == ["keel.toml:3:311: \(message)"])
        // [host], x and 62 arrays: the 63rd array's '[' is at column 5 + 62.
        let arrays = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(fixture.problems("[host]\nname = \"box\"\nx = \(arrays)\n") == ["keel.toml:3:67: \(message)"])
        // agents and 63 x's: the 63rd x is at column 9 + 62 × 2.
        let header = "[agents." + Array(repeating: "x", count: 10_000).joined(separator: ".") + "]"
        #expect(fixture.problems("[host]\nname = \"box\"\n\(header)\n") == ["keel.toml:3:133: \(message)"])
    }

    @Test("an error at the end of the file is placed at the end of the last line, not past it")
    func errorAtEndOfFile() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(
            fixture.problems("[host]\nname = [\n") == [
                "keel.toml:2:9: Error while parsing array: encountered end-of-file"
            ])
        #expect(
            fixture.problems("[host]\nname = \"\"\"box\n") == [
                "keel.toml:2:14: Error while parsing string: encountered end-of-file"
            ])
    }

    @Test("a name the user gave keeps its spelling in every line")
    func fileAsNamed() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(
            fixture.problems("[host]\nname = 5\n", file: "./conf/../my host.toml") == [
                "./conf/../my host.toml:2:8: 'host.name' must be a string, not an integer"
            ])
    }

    @Test("unknown keys, with the closest known key when it is a likely typo")
    func unknownKeys() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            nmae = "x"

            [agents.web]
            comand = ["/bin/web"]
            command = ["/bin/web"]
            restrat = { policy = "always" }
            restart = { polcy = "never" }
            isolation = "strcit"
            zzzzzzzz = 1

            [agent.db]
            command = ["/bin/db"]
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:3:1: unknown key 'nmae' in [host] (did you mean 'name'?)",
                "keel.toml:6:1: unknown key 'comand' in agent 'web' (did you mean 'command'?)",
                "keel.toml:8:1: unknown key 'restrat' in agent 'web' (did you mean 'restart'?)",
                "keel.toml:9:13: unknown key 'polcy' in restart (did you mean 'policy'?)",
                "keel.toml:10:13: 'agents.web.isolation' must be one of \"none\", \"strict\", not \"strcit\" "
                    + "(did you mean \"strict\"?)",
                "keel.toml:11:1: unknown key 'zzzzzzzz' in agent 'web'",
                "keel.toml:13:2: unknown key 'agent' in keel.toml (did you mean 'agents'?)",
            ])
    }

    @Test("values of the wrong type, each at its value")
    func wrongTypes() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            log_files = "4"
            env = { LANG = 1 }

            [packages.tool]
            url = "https://example.com/t"
            unpack = "yes"

            [agents.web]
            command = "web"
            depends_on = ["a", 2]

            [agents.db]
            command = ["db", 5432]
            limits = "big"
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:3:13: 'host.log_files' must be an integer, not a string",
                "keel.toml:4:16: 'host.env.LANG' must be a string, not an integer",
                "keel.toml:8:10: 'packages.tool.unpack' must be true or false, not a string",
                "keel.toml:11:11: 'agents.web.command' must be an array of strings, not a string",
                "keel.toml:12:20: 'agents.web.depends_on[1]' must be a string, not an integer",
                "keel.toml:15:18: 'agents.db.command[1]' must be a string, not an integer",
                "keel.toml:16:10: 'agents.db.limits' must be a table, not a string",
            ])
    }

    @Test("choices, ranges and formats: isolation, restart policy, ports, URLs, hashes, paths")
    func badValues() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            log_files = 0

            [packages.tool]
            url = "ftp://example.com/t"
            hash = "md5-abc"

            [agents.web]
            command = ["web"]
            restart = { policy = "alwyas" }
            health = { tcp = "localhost:99999" }
            host_paths = ["etc/ssl"]
            limits = { cpu = "lots", pids = 0 }
            user = "a:b"
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:3:13: 'host.log_files' must be between 1 and 1000, not 0",
                "keel.toml:6:7: invalid URL \"ftp://example.com/t\": use an http, https or file URL",
                "keel.toml:7:8: invalid hash \"md5-abc\": invalid md5 hash 'md5-abc'; "
                    + "write \"sha256-<base64>\" or \"sha256:<hex>\"",
                "keel.toml:11:22: 'agents.web.restart.policy' must be one of \"always\", \"on-failure\", \"never\", "
                    + "not \"alwyas\" (did you mean \"always\"?)",
                "keel.toml:12:18: health tcp \"localhost:99999\" must be HOST:PORT (port 1-65535)",
                "keel.toml:13:15: host path 'etc/ssl' must be absolute",
                "keel.toml:14:18: 'agents.web.limits.cpu' must be a number of CPUs between 0.001 and 4096, "
                    + "such as \"1.5\"",
                "keel.toml:14:33: 'agents.web.limits.pids' must be between 1 and 4194304, not 0",
                "keel.toml:15:8: invalid user \"a:b\": give a user name or a numeric id",
            ])
    }

    @Test("unknown packages in ${packages.…}, packages and inputs, each at its place in the string")
    func unknownPackages() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.tool]
            builder = "/bin/sh"
            args = ["-c", "cp ${packages.tol}/x $out; echo \\"${packages.nope}\\""]
            inputs = ["tool2"]

            [agents.web]
            command = ["${packages.tool}/bin/web", "--data=${packages.toool}/share"]
            packages = ["tools"]
            env = { X = "é${packages.zzz}" }
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:6:19: unknown package 'tol' in ${packages.tol} (did you mean 'tool'?)",
                "keel.toml:6:50: unknown package 'nope' in ${packages.nope}",
                "keel.toml:7:11: unknown package 'tool2' (named as input) (did you mean 'tool'?)",
                "keel.toml:10:48: unknown package 'toool' in ${packages.toool} (did you mean 'tool'?)",
                "keel.toml:11:13: unknown package 'tools' (named as package) (did you mean 'tool'?)",
                "keel.toml:12:15: unknown package 'zzz' in ${packages.zzz}",
            ])
    }

    @Test("a reference in a multi-line string is reported on its own line, past escapes and joined lines")
    func referencesInMultiLineStrings() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.tool]
            builder = "/bin/sh"
            args = ["-c", \"\"\"
              mkdir $out
              cp ${packages.nope} $out/ \\
                 && ln -s ${packages.gone} \\u00e9${packages.lost}
            \"\"\", '''
            x ${packages.none}''']
            env = { A = "\\t${packages.tab}", B = 'é ${packages.lit}' }
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:8:6: unknown package 'nope' in ${packages.nope}",
                "keel.toml:9:15: unknown package 'gone' in ${packages.gone}",
                "keel.toml:9:38: unknown package 'lost' in ${packages.lost}",
                "keel.toml:11:3: unknown package 'none' in ${packages.none}",
                "keel.toml:12:16: unknown package 'tab' in ${packages.tab}",
                "keel.toml:12:41: unknown package 'lit' in ${packages.lit}",
            ])
    }

    @Test("a reference without its closing brace or name")
    func malformedReferences() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [agents.web]
            command = ["${packages.web", "${packages.}", "$${packages.literal}", "${out}"]
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:5:12: '${packages.' at character 1 has no closing '}'",
                "keel.toml:5:30: '${packages.}' names no package",
            ])
    }

    @Test("an inputs cycle is listed whole, at the reference that closes it")
    func inputsCycle() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.a]
            builder = "/bin/sh"
            inputs = ["b"]

            [packages.b]
            builder = "/bin/sh"
            inputs = ["c"]

            [packages.c]
            builder = "/bin/sh"
            inputs = ["a"]

            [packages.d]
            builder = "/bin/sh"
            inputs = ["a", "d"]
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:14:11: package dependency cycle (inputs and ${packages.…}): 'a' → 'b' → 'c' → 'a'",
                "keel.toml:18:16: package dependency cycle (inputs and ${packages.…}): 'd' → 'd'",
            ])
    }

    @Test("a cycle made only by ${packages.…} in a derivation's args and builder")
    func referenceCycle() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.a]
            builder = "/bin/sh"
            args = ["-c", "cp -r ${packages.b} $out"]

            [packages.b]
            builder = "/bin/sh"
            env = { SRC = "${packages.c}" }

            [packages.c]
            builder = "${packages.a}/bin/make"
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:13:12: package dependency cycle (inputs and ${packages.…}): 'a' → 'b' → 'c' → 'a'"
            ])
    }

    @Test("a depends_on cycle is listed whole; a self-dependency and an unknown agent too")
    func dependsOnCycle() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [agents.x]
            command = ["x"]
            depends_on = ["y"]

            [agents.y]
            command = ["y"]
            depends_on = ["z"]

            [agents.z]
            command = ["z"]
            depends_on = ["x", "z", "ghost", "xx"]
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:14:15: agent dependency cycle (depends_on): 'x' → 'y' → 'z' → 'x'",
                "keel.toml:14:20: agent dependency cycle (depends_on): 'z' → 'z'",
                "keel.toml:14:25: agent 'z' depends on unknown agent 'ghost'",
                "keel.toml:14:34: agent 'z' depends on unknown agent 'xx' (did you mean 'x'?)",
            ])
    }

    @Test("a package or agent with problems of its own is not unknown where it is used")
    func invalidButDeclared() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.both]
            src = "./site"
            url = "https://example.com/x"

            [agents.web]
            comand = ["${packages.both}"]

            [agents.db]
            command = ["${packages.both}/bin/db"]
            packages = ["both"]
            depends_on = ["web"]
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:6:1: package 'both' has two kinds: 'src' (a local tree) and 'url' (a fetch); "
                    + "a package is exactly one of them",
                "keel.toml:8:1: agent 'web' needs a command (command = [\"program\", \"arg\", …])",
                "keel.toml:9:1: unknown key 'comand' in agent 'web' (did you mean 'command'?)",
            ])
    }

    @Test("a src directory that is missing or is a file")
    func missingSource() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        try TestFiles.write(fixture.temporary.appending("notes.txt"), Array("x".utf8))
        let document = """
            [host]
            name = "box"

            [packages.app]
            src = "./missing"

            [packages.file]
            src = "./notes.txt"

            [packages.ok]
            src = "site/../site/"
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:5:7: src directory './missing' does not exist (looked for '\(fixture.directory)/missing')",
                "keel.toml:8:7: src './notes.txt' is not a directory",
            ])
        let valid = try fixture.parse("[host]\nname = \"box\"\n[packages.ok]\nsrc = \"site/../site/\"\n")
        guard case .source(let source) = valid.package("ok")?.kind else {
            Issue.record("'ok' is not a source package")
            return
        }
        #expect(source.resolvedPath == fixture.directory + "/site")
    }

    @Test("two package kinds in one table; keys that belong to another kind; a package that declares nothing")
    func packageKinds() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [packages.both]
            src = "./site"
            url = "https://example.com/x"

            [packages.fetch]
            url = "https://example.com/x.tar.gz"
            args = ["x"]
            output = "bin"
            unpackk = true

            [packages.tree]
            src = "./site"
            inputs = ["fetch"]

            [packages.empty]
            system = "x86_64-linux"
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:6:1: package 'both' has two kinds: 'src' (a local tree) and 'url' (a fetch); "
                    + "a package is exactly one of them",
                "keel.toml:10:1: 'args' belongs to a derivation package ('builder'), but 'fetch' is a fetch ('url')",
                "keel.toml:11:1: 'output' belongs to a Nix derivation package ('drv'), but 'fetch' is a fetch ('url')",
                "keel.toml:12:1: unknown key 'unpackk' in package 'fetch' (did you mean 'unpack'?)",
                "keel.toml:16:1: 'inputs' belongs to a derivation package ('builder'), but 'tree' is a local tree "
                    + "('src')",
                "keel.toml:18:1: package 'empty' declares nothing: give one of src (a local tree), builder "
                    + "(a derivation), url (a fetch), drv (a Nix derivation), debian (a Debian runtime) or python "
                    + "(a Python runtime)",
            ])
    }

    @Test("a missing [host], a host without a name or with a bad one")
    func hostTable() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(
            fixture.problems("[agents.web]\ncommand = [\"web\"]\n") == [
                "keel.toml:1:1: missing [host] table: every keel.toml names its host ([host] name = \"…\")"
            ])
        #expect(
            fixture.problems("") == [
                "keel.toml:1:1: missing [host] table: every keel.toml names its host ([host] name = \"…\")"
            ])
        #expect(
            fixture.problems("# mine\n\n[host]\nsystem = \"x86_64-linux\"\n") == [
                "keel.toml:3:1: [host] needs a name (name = \"…\"): the system path is named after it"
            ])
        #expect(
            fixture.problems("[host]\nname = \"my host\"\n") == [
                "keel.toml:2:8: invalid host name \"my host\": use letters, digits, '-', '_' and '.' "
                    + "(at most 63, not starting with '.' or '-')"
            ])
        #expect(fixture.problems("host = \"box\"\n") == ["keel.toml:1:8: 'host' must be a table, not a string"])
    }

    @Test("invalid agent and package names, unicode ones included, at their keys")
    func invalidNames() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let longName = String(repeating: "a", count: 65)
        let document = """
            [host]
            name = "box"

            [packages."my pkg"]
            src = "."

            [packages.".hidden"]
            src = "."

            [agents."web/1"]
            command = ["x"]

            [agents.\(longName)]
            command = ["x"]

            [agents."wéb"]
            command = ["x"]

            [agents.ok]
            command = []
            """
        let rules = "use letters, digits, '-', '_' and '.' (at most 64, not starting with '.' or '-')"
        let packageRules = "use letters, digits, '-', '_', '.' and '+' (at most 100, not starting with '.' or '-')"
        #expect(
            fixture.problems(document) == [
                "keel.toml:4:11: invalid package name 'my pkg': \(packageRules)",
                "keel.toml:7:11: invalid package name '.hidden': \(packageRules)",
                "keel.toml:10:9: invalid agent name 'web/1': \(rules)",
                "keel.toml:13:9: invalid agent name '\(longName)': \(rules)",
                "keel.toml:16:9: invalid agent name 'wéb': \(rules)",
                "keel.toml:20:11: 'agents.ok.command' must not be empty",
            ])
    }

    @Test("keys with line breaks, controls and right-to-left overrides stay on one line, escaped")
    func oddKeysInMessages() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            "a\\nb" = 1
            "\\u202Eevil" = 2

            [agents."x\\ty"]
            command = ["x"]
            """
        let problems = fixture.problems(document)
        #expect(
            problems == [
                "keel.toml:3:1: unknown key 'a\\nb' in [host]",
                "keel.toml:4:1: unknown key '\\u{202E}evil' in [host]",
                "keel.toml:6:9: invalid agent name 'x\\ty': use letters, digits, '-', '_' and '.' (at most 64, "
                    + "not starting with '.' or '-')",
            ])
    }

    @Test("a file with many different problems reports every one, in file order")
    func allProblemsAtOnce() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            log_files = 0
            colour = "blue"

            [packages.app]
            src = "./missing"

            [packages.tool]
            builder = "/bin/sh"
            args = ["${packages.ap}"]
            inputs = ["tool"]

            [agents.web]
            command = ["${packages.tool}/bin/web"]
            stop_timeout = "soon"
            isolation = "strcit"
            depends_on = ["db"]
            limits = { memory = "lots" }
            """
        let usage = "write a number and a unit: ms, s, m, h, d or w, as in \"250ms\", \"30s\" or \"1h30m\""
        let sizeUsage = "write a number with an optional unit K, M, G or T (powers of 1024), as in \"512M\" or \"2G\""
        let problems = fixture.problems(document)
        #expect(
            problems == [
                "keel.toml:3:13: 'host.log_files' must be between 1 and 1000, not 0",
                "keel.toml:4:1: unknown key 'colour' in [host]",
                "keel.toml:7:7: src directory './missing' does not exist (looked for '\(fixture.directory)/missing')",
                "keel.toml:11:10: unknown package 'ap' in ${packages.ap} (did you mean 'app'?)",
                "keel.toml:12:11: package dependency cycle (inputs and ${packages.…}): 'tool' → 'tool'",
                "keel.toml:16:16: 'agents.web.stop_timeout': invalid duration \"soon\"; \(usage)",
                "keel.toml:17:13: 'agents.web.isolation' must be one of \"none\", \"strict\", not \"strcit\" "
                    + "(did you mean \"strict\"?)",
                "keel.toml:18:15: agent 'web' depends on unknown agent 'db'",
                "keel.toml:19:21: 'agents.web.limits.memory': invalid size \"lots\"; \(sizeUsage)",
            ])
        #expect(problems.count >= 6)
    }

    @Test("health, readiness and restart rules that span keys")
    func crossKeyRules() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"

            [agents.web]
            command = ["web"]
            ready = "health"
            health = { http = "http://x/", tcp = "x:1" }

            [agents.db]
            command = ["db"]
            ready = "health"
            env = { "1BAD" = "x" }
            working_dir = "data"

            [packages.get]
            url = "https://example.com/x"
            unpack = true
            executable = true
            """
        #expect(
            fixture.problems(document) == [
                "keel.toml:7:32: health check has both 'http' and 'tcp'; give one",
                "keel.toml:11:9: agent 'db' is ready on \"health\" but has no health check",
                "keel.toml:12:9: invalid environment variable name '1BAD'",
                "keel.toml:13:15: working_dir 'data' must be absolute",
                "keel.toml:18:1: 'executable' applies to a single file and cannot be combined with unpack = true",
            ])
    }
}
