import KeelConfig
import KeelTesting
import Testing

/// Runtime packages in keel.toml: `debian = [...]`, and `python = "PKG"` with `wheels` or a
/// requirements file; each mistake named where it is.
@Suite("keel.toml runtime packages", .ownThreads)
struct RuntimeConfigTests {
    @Test("a Debian runtime and a Python runtime over it are read as written; an agent lists one runtime")
    func readsRuntimes() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse(
            """
            [host]
            name = "box"

            [packages.py]
            debian = ["python3.11-minimal", "libssl3=3.0.*", "tzdata=2025b-0+deb12u1~rc1"]

            [packages.ml]
            python = "py"
            wheels = ["numpy==2.1.3", "requests>=2"]

            [agents.web]
            command = ["python3", "-m", "http.server"]
            packages = ["ml"]
            """)
        let python = try #require(configuration.package("py"))
        guard case .debian(let debian) = python.kind else {
            Issue.record("py is \(python.kindName)")
            return
        }
        #expect(debian.requests.map(\.value) == ["python3.11-minimal", "libssl3=3.0.*", "tzdata=2025b-0+deb12u1~rc1"])
        #expect(python.isRuntime && python.kindName == "debian")
        let ml = try #require(configuration.package("ml"))
        guard case .python(let spec) = ml.kind else {
            Issue.record("ml is \(ml.kindName)")
            return
        }
        #expect(spec.interpreter.value == "py")
        #expect(spec.lines == ["numpy==2.1.3", "requests>=2"])
        #expect(ml.inputs.map(\.value) == ["py"])
    }

    @Test("a requirements file is read as pip reads it: comments, blank lines and continuations")
    func requirementsFile() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        try TestFiles.write(
            fixture.temporary.appending("requirements.txt"),
            Array("# pinned\nnumpy==2.1.3  # the math\n\nrequests\\\n>=2.31\n  idna\n".utf8))
        let configuration = try fixture.parse(
            """
            [host]
            name = "box"
            [packages.py]
            debian = ["python3.11-minimal"]
            [packages.ml]
            python = "py"
            requirements = "./requirements.txt"
            """)
        guard case .python(let spec) = try #require(configuration.package("ml")).kind else {
            Issue.record("ml is not a Python runtime")
            return
        }
        #expect(spec.lines == ["numpy==2.1.3", "requests>=2.31", "idna"])
    }

    @Test("leave_out paths are read as written; each path not absolute, not plain, too high or repeated is named")
    func leaveOut() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse(
            """
            [host]
            name = "box"
            [packages.py]
            debian = ["python3.11-minimal"]
            leave_out = ["/usr/lib/x86_64-linux-gnu/gconv", "/lib/udev"]
            """)
        let python = try #require(configuration.package("py"))
        guard case .debian(let debian) = python.kind else {
            Issue.record("py is \(python.kindName)")
            return
        }
        #expect(debian.leaveOut.map(\.value) == ["/usr/lib/x86_64-linux-gnu/gconv", "/lib/udev"])
        let problems = fixture.problems(
            """
            [host]
            name = "box"
            [packages.py]
            debian = ["python3.11-minimal"]
            leave_out = ["usr/share", "/usr//lib", "/usr/lib/", "/usr/../etc", "/usr", "/usr/a", "/usr/a"]
            [packages.ml]
            python = "py"
            wheels = ["numpy"]
            leave_out = ["/usr/share/zoneinfo"]
            """)
        let example = "e.g. \"/usr/lib/x86_64-linux-gnu/gconv\""
        let notPlain = "is not plain: no empty, '.' or '..' components and no trailing '/', " + example
        #expect(
            problems == [
                "keel.toml:5:14: leave_out path 'usr/share' is not absolute: name it as the runtime's view has it, "
                    + example,
                "keel.toml:5:27: leave_out path '/usr//lib' " + notPlain,
                "keel.toml:5:40: leave_out path '/usr/lib/' " + notPlain,
                "keel.toml:5:53: leave_out path '/usr/../etc' " + notPlain,
                "keel.toml:5:68: leave_out path '/usr' would leave out a whole top directory: name something inside "
                    + "it, " + example,
                "keel.toml:5:86: '/usr/a' is listed twice in leave_out",
                "keel.toml:9:1: 'leave_out' belongs to a Debian runtime package ('debian'), but 'ml' is a Python "
                    + "runtime ('python')",
            ])
    }

    @Test("bad requests, a missing or wrong interpreter, both or neither requirement forms, two runtimes per agent")
    func problems() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        try TestFiles.write(
            fixture.temporary.appending("req.txt"), Array("numpy\n--index-url https://example.com/simple\n".utf8))
        let problems = fixture.problems(
            """
            [host]
            name = "box"
            [packages.bad]
            debian = ["Python3", "libssl3=3.0 .*", "ok", "ok"]
            [packages.empty]
            debian = []
            [packages.src]
            src = "."
            [packages.a]
            python = "src"
            wheels = ["numpy", "./local.whl", "-e .", "x --hash=sha256:00"]
            [packages.b]
            python = "nope"
            wheels = ["numpy"]
            requirements = "./req.txt"
            [packages.c]
            python = "bad"
            [packages.d]
            python = "bad"
            requirements = "./req.txt"
            """)
        #expect(
            problems == [
                "keel.toml:4:11: invalid Debian package name 'Python3': lower-case letters, digits, '+', '-' and '.' "
                    + "(write NAME or NAME=VERSION)",
                "keel.toml:4:22: invalid version '3.0 .*' for Debian package 'libssl3': write NAME=VERSION, where "
                    + "VERSION may end in '*' (e.g. libssl3=3.0.*)",
                "keel.toml:4:46: Debian package 'ok' is listed twice",
                "keel.toml:6:1: 'debian' lists no package: name at least one, e.g. \"python3.11-minimal\"",
                "keel.toml:11:20: './local.whl': URLs and paths are not index packages; Keel installs wheels from the "
                    + "index",
                "keel.toml:11:35: '-e .': pip options are not taken from Keel's requirements (configure indexes in "
                    + "pip.conf or PIP_* variables); list packages only",
                "keel.toml:11:43: 'x --hash=sha256:00': per-requirement options (such as --hash) are not taken; "
                    + "keel.lock pins each wheel's hash",
                "keel.toml:15:1: give either 'wheels' or 'requirements', not both",
                "keel.toml:17:1: a Python runtime needs 'wheels = [\"NAME==VERSION\", …]' or 'requirements = "
                    + "\"./requirements.txt\"'",
                "keel.toml:20:16: ./req.txt, line 2: '--index-url https://example.com/simple': pip options are not "
                    + "taken from Keel's requirements (configure indexes in pip.conf or PIP_* variables); list "
                    + "packages only",
            ])
    }

    @Test("a Python runtime's interpreter must be a Debian runtime that exists; an agent runs in one runtime")
    func interpreterKind() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let problems = fixture.problems(
            """
            [host]
            name = "box"
            [packages.src]
            src = "."
            [packages.a]
            python = "src"
            wheels = ["numpy"]
            [packages.b]
            python = "nope"
            wheels = ["numpy"]
            [packages.py]
            debian = ["python3.11-minimal"]
            [packages.ml]
            python = "py"
            wheels = ["numpy"]
            [agents.web]
            command = ["python3"]
            packages = ["py", "ml"]
            """)
        #expect(
            problems == [
                "keel.toml:6:10: package 'a': its interpreter 'src' must be a Debian runtime (debian = "
                    + "[\"python3.11-minimal\", …]), not a 'src' package",
                "keel.toml:9:10: unknown package 'nope' (named as the interpreter of 'b')",
                "keel.toml:18:19: agent 'web' lists 2 runtimes ('py', 'ml'); an agent runs in one runtime: make "
                    + "one Python or Debian runtime that holds what it needs",
            ])
    }
}
