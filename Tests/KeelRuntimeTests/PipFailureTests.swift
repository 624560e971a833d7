import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// pip's log lines (as pip 23 writes them, timestamps included) turned into messages.
@Suite("Pip failures", .ownThreads)
struct PipFailureTests {
    let target = try! PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")

    private func message(_ lines: [String]) -> String {
        let run = PipRun(termination: .exited(1), log: lines.map { "2026-12-06T14:47:08,625 " + $0 })
        return PipFailure.error(of: run, action: "resolving x", target: target).message
    }

    @Test("timestamps are dropped from log lines, other lines kept")
    func timestamps() {
        #expect(PipRun.withoutTimestamp("2026-12-06T14:47:08,625 ERROR: x") == "ERROR: x")
        #expect(PipRun.withoutTimestamp("  Skipping link: y") == "  Skipping link: y")
    }

    @Test("a project with only source distributions")
    func sourceOnly() {
        #expect(
            message([
                "1 location(s) to search for versions of docopt:",
                "  Skipping link: No sources permitted for docopt: https://example.org/docopt-0.6.2.tar.gz",
                "ERROR: Could not find a version that satisfies the requirement docopt==0.6.2 (from versions: none)",
                "ERROR: No matching distribution found for docopt==0.6.2",
            ])
                == "package 'docopt' has no wheel for CPython 3.11 on manylinux_2_36 x86_64 (only a source "
                + "distribution); Keel installs wheels only")
    }

    @Test("a project whose wheels are all for other platforms, and one with both kinds")
    func otherPlatforms() {
        let windowsOnly = [
            "1 location(s) to search for versions of pywin32:",
            "  Skipping link: none of the wheel's tags (cp311-cp311-win_amd64) are compatible: https://e.org/a.whl",
            "ERROR: Could not find a version that satisfies the requirement pywin32 (from versions: none)",
        ]
        #expect(
            message(windowsOnly)
                == "package 'pywin32' has no wheel for CPython 3.11 on manylinux_2_36 x86_64 (only wheels for other "
                + "platforms or Python versions); Keel installs wheels only")
        #expect(
            message(["  Skipping link: No sources permitted for PyWin32: https://e.org/pywin32-1.tar.gz"] + windowsOnly)
                .contains("(only a source distribution and wheels for other platforms or Python versions)"))
    }

    @Test("a project the index does not know (404), or that no link mentions")
    func missing() {
        let expected =
            "package 'keel-nope' does not exist on the package index pip uses (pip found no release of it)"
        #expect(
            message([
                "1 location(s) to search for versions of keel-nope:",
                "Could not fetch URL https://pypi.org/simple/keel-nope/: 404 Client Error: Not Found - skipping",
                "ERROR: Could not find a version that satisfies the requirement keel-nope (from versions: none)",
            ]) == expected)
        #expect(
            message(["ERROR: Could not find a version that satisfies the requirement keel-nope (from versions: none)"])
                == expected)
    }

    @Test("an index pip cannot reach")
    func unreachable() {
        #expect(
            message([
                "1 location(s) to search for versions of idna:",
                "Could not fetch URL http://127.0.0.1:9/simple/idna/: connection error: refused - skipping",
                "ERROR: Could not find a version that satisfies the requirement idna (from versions: none)",
            ]) == "pip could not reach the package index for 'idna': connection error: refused")
    }

    @Test("a version no wheel satisfies lists the versions that have one, the newest 25 at most")
    func unsatisfiable() {
        #expect(
            message([
                "ERROR: Could not find a version that satisfies the requirement six>=9 (from versions: 1.0, 1.16.0)"
            ])
                == "no wheel of 'six' for CPython 3.11 on manylinux_2_36 x86_64 satisfies 'six>=9' (versions with "
                + "such a wheel: 1.0, 1.16.0); Keel installs wheels only")
        let many = (1...40).map { "1.\($0)" }.joined(separator: ", ")
        let text = message([
            "ERROR: Could not find a version that satisfies the requirement x==9 (from versions: \(many))"
        ])
        #expect(text.contains("(versions with such a wheel: …, 1.16, 1.17, "))
        #expect(!text.contains(" 1.15,"))
    }

    @Test("any other failure is pip's first error line; none at all points at pip's messages")
    func other() {
        #expect(
            message(["Collecting a", "ERROR: Cannot install a and b because of conflicting dependencies.", "ERROR: z"])
                == "pip failed resolving x (exit status 1): Cannot install a and b because of conflicting dependencies."
        )
        #expect(message(["Collecting a"]) == "pip failed resolving x (exit status 1); its messages are above")
    }

    @Test("a requirement's project name")
    func projectName() {
        #expect(PipFailure.projectName(of: "charset-normalizer<4,>=2") == "charset-normalizer")
        #expect(PipFailure.projectName(of: "zope.interface[test]==6") == "zope.interface")
    }
}
