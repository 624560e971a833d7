import KeelRuntime
import KeelTesting
import Testing

/// The resolver against apt's own solver on this host's lists: `apt-get -s` installing the same
/// requests onto an empty system (no dpkg status, no Recommends).
///
/// The comparison is exact (names and versions). It can be, for these packages, because apt's
/// choices here are the deterministic ones the resolver makes too: the candidate (highest)
/// version, the first alternative of a group unless one is already going to be installed, and
/// an empty status file, so apt assumes nothing installed, not even the Essential set, and pulls
/// in only what Pre-Depends and Depends need (as Keel does). Where apt could differ (several
/// providers of a virtual package, which apt orders by its own preferences; Conflicts it would
/// solve by removing), these packages do not reach.
@Suite("DebianResolver agrees with apt-get on the host's lists", .ownThreads)
struct DebianResolverOracleTests {
    /// `name=version` of every package `apt-get -s install` would install for `requests`, by name.
    static func apt(_ requests: [String]) throws -> [String] {
        let arguments =
            [
                "-s", "-o", "Dir::State::status=/dev/null", "-o", "APT::Install-Recommends=false",
                "-o", "APT::Install-Suggests=false", "install",
            ] + requests
        let result = try ProcessRunner.run("/usr/bin/apt-get", arguments)
        try #require(result.status == 0, "apt-get \(arguments.joined(separator: " ")): \(result.errorOutput)")
        // "Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])"
        let installs = result.output.split(separator: "\n").filter { $0.hasPrefix("Inst ") }.map { line in
            let fields = line.split(separator: " ")
            return (name: String(fields[1]), version: String(fields[2].dropFirst()))
        }
        return installs.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.version)" }
    }

    @Test(
        "the same closure as apt",
        arguments: [
            ["python3.11-minimal"], ["ca-certificates"], ["libssl3"], ["python3.11"], ["perl-base"], ["debconf"],
            ["python3.11-minimal", "ca-certificates", "libssl3=3.0.*"],
        ])
    func sameClosure(requests: [String]) throws {
        _ = try DebianTestLists.all()
        let resolver = DebianResolver(index: try DebianTestLists.hostIndex.get())
        let pins = try resolver.resolve(requests)
        let ours = pins.map { "\($0.name)=\($0.version)" }
        let apt = try Self.apt(requests)
        #expect(
            ours == apt,
            "only Keel: \(ours.filter { !apt.contains($0) }); only apt: \(apt.filter { !ours.contains($0) })")
        #expect(pins.map(\.name) == pins.map(\.name).sorted())
        for pin in pins {
            #expect(pin.sha256.count == 64 && pin.size > 0 && pin.filename.hasPrefix("pool/"), "\(pin)")
        }
    }

    @Test("the closure holds what apt considers virtual or alternative: debconf-2.0 and media-types | mime-support")
    func alternativesAndVirtuals() throws {
        _ = try DebianTestLists.all()
        let resolver = DebianResolver(index: try DebianTestLists.hostIndex.get())
        let names = try resolver.resolve(["ca-certificates", "python3.11"]).map(\.name)
        #expect(names.contains("debconf"), "debconf (>= 0.5) | debconf-2.0: the first alternative")
        #expect(names.contains("media-types") && !names.contains("mime-support"))
        do {
            _ = try resolver.resolve(["python3.11-minimla"])
            Issue.record("a misspelt package was resolved")
        } catch {
            #expect(error.message.hasSuffix("did you mean python3.11-minimal?"), "\(error)")
        }
        do {
            _ = try resolver.resolve(["libssl3=9.*"])
            Issue.record("a version that does not exist was resolved")
        } catch {
            #expect(error.message.hasPrefix("package 'libssl3' has no version matching '9.*' (the apt lists have 3.0."))
        }
    }
}
