import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianResolver on hand-written lists", .ownThreads)
struct DebianResolverTests {
    /// One Packages paragraph; `fields` are extra `Name: value` lines.
    static func package(_ name: String, _ fields: String..., version: String = "1.0", architecture: String = "amd64")
        -> String
    {
        let extra = fields.map { "\($0)\n" }.joined()
        return """
            Package: \(name)
            Version: \(version)
            Architecture: \(architecture)
            \(extra)Filename: pool/main/\(name)_\(version)_\(architecture).deb
            Size: \(name.utf8.count * 100)
            SHA256: \(String(repeating: "0", count: 63))\(name.utf8.count % 10)

            """
    }

    static func resolver(_ paragraphs: String...) throws -> DebianResolver {
        DebianResolver(
            index: try DebianPackageIndex(parsing: Array(paragraphs.joined(separator: "\n").utf8), source: "test"))
    }

    /// `name=version` of each pin, in the resolver's order.
    static func resolve(_ resolver: DebianResolver, _ requests: String...) throws -> [String] {
        try resolver.resolve(requests).map { "\($0.name)=\($0.version)" }
    }

    static func message(_ resolver: DebianResolver, _ requests: String...) -> String {
        do {
            let pins = try resolver.resolve(requests)
            return "resolved: \(pins.map(\.name))"
        } catch {
            return error.message
        }
    }

    @Test("pins every field a lock needs, sorted by name, the same every time")
    func pins() throws {
        let resolver = try Self.resolver(
            Self.package("zeta", "Depends: alpha"), Self.package("alpha", version: "2:1.0-1", architecture: "all"))
        let pins = try resolver.resolve(["zeta"])
        #expect(
            pins == [
                DebianPin(
                    name: "alpha", version: "2:1.0-1", architecture: "all", filename: "pool/main/alpha_2:1.0-1_all.deb",
                    size: 500, sha256: String(repeating: "0", count: 63) + "5"),
                DebianPin(
                    name: "zeta", version: "1.0", architecture: "amd64", filename: "pool/main/zeta_1.0_amd64.deb",
                    size: 400, sha256: String(repeating: "0", count: 63) + "4"),
            ])
        #expect(try resolver.resolve(["zeta"]) == pins)
        #expect(try resolver.resolve(["alpha", "zeta", "zeta"]) == pins)
        #expect(try resolver.resolve([]) == [])
    }

    @Test("follows Pre-Depends and Depends, not Recommends or Suggests; cycles end")
    func closure() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Pre-Depends: early", "Depends: lib", "Recommends: extra", "Suggests: more"),
            Self.package("early", "Depends: lib"), Self.package("lib", "Depends: app (>= 1.0)"),
            Self.package("extra"), Self.package("more"))
        #expect(try Self.resolve(resolver, "app") == ["app=1.0", "early=1.0", "lib=1.0"])
        #expect(try Self.resolve(resolver, "lib") == ["app=1.0", "early=1.0", "lib=1.0"])
    }

    @Test("an alternative already chosen wins; else the first that can be met")
    func alternatives() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Depends: missing | second | third, third | fourth, fifth (>= 2) | sixth"),
            Self.package("second"), Self.package("third"), Self.package("fourth"), Self.package("fifth"),
            Self.package("sixth"))
        #expect(try Self.resolve(resolver, "app") == ["app=1.0", "second=1.0", "sixth=1.0", "third=1.0"])
        #expect(try Self.resolve(resolver, "fourth", "app") == ["app=1.0", "fourth=1.0", "second=1.0", "sixth=1.0"])
    }

    @Test("takes the highest version that meets the constraint; requests take exact versions and globs")
    func versions() throws {
        let resolver = try Self.resolver(
            Self.package("lib", version: "1.0"), Self.package("lib", version: "1.5~rc1"),
            Self.package("lib", version: "2.0"),
            Self.package("lib", version: "3.0.11-1~deb12u2"), Self.package("lib", version: "3.0.15-1~deb12u1"),
            Self.package("old", "Depends: lib (<< 2)"), Self.package("exact", "Depends: lib (= 2.0)"),
            Self.package("any", "Depends: lib"))
        #expect(try Self.resolve(resolver, "old") == ["lib=1.5~rc1", "old=1.0"])
        #expect(try Self.resolve(resolver, "exact") == ["exact=1.0", "lib=2.0"])
        #expect(try Self.resolve(resolver, "any") == ["any=1.0", "lib=3.0.15-1~deb12u1"])
        #expect(try Self.resolve(resolver, "lib=1.0") == ["lib=1.0"])
        #expect(try Self.resolve(resolver, "lib=3.0.*") == ["lib=3.0.15-1~deb12u1"])
        #expect(try Self.resolve(resolver, "lib=*deb12u2") == ["lib=3.0.11-1~deb12u2"])
        #expect(try Self.resolve(resolver, "lib=1.*", "any") == ["any=1.0", "lib=1.5~rc1"])
        #expect(
            Self.message(resolver, "lib=9.*")
                == "package 'lib' has no version matching '9.*' "
                + "(the apt lists have 3.0.15-1~deb12u1, 3.0.11-1~deb12u2, 2.0, 1.5~rc1, 1.0)")
    }

    @Test("virtual packages: a real package first, then a chosen provider, else the first provider by name")
    func virtuals() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Depends: mta"), Self.package("zmail", "Provides: mta"),
            Self.package("amail", "Provides: mta"), Self.package("bmail", "Provides: mta"),
            Self.package("uses-real", "Depends: both"), Self.package("both", version: "0.5"),
            Self.package("fake-both", "Provides: both"),
            Self.package("versioned", "Depends: api (>= 2)"), Self.package("api-old", "Provides: api"),
            Self.package("api-new", "Provides: api (= 2.1)"), Self.package("only", "Depends: single"),
            Self.package("single-provider", "Provides: single"))
        #expect(try Self.resolve(resolver, "app") == ["amail=1.0", "app=1.0"])
        #expect(try Self.resolve(resolver, "zmail", "app") == ["app=1.0", "zmail=1.0"])
        #expect(try Self.resolve(resolver, "uses-real") == ["both=0.5", "uses-real=1.0"])
        #expect(try Self.resolve(resolver, "versioned") == ["api-new=1.0", "versioned=1.0"])
        #expect(try Self.resolve(resolver, "only") == ["only=1.0", "single-provider=1.0"])
        #expect(try Self.resolve(resolver, "single") == ["single-provider=1.0"])
        #expect(
            Self.message(resolver, "mta")
                == "'mta' is a virtual package provided by amail, bmail, zmail: ask for one of them by name")
    }

    @Test("architecture qualifiers: :any needs Multi-Arch: allowed; other architectures are not in the index")
    func architectures() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Depends: interp:any (>= 1), tool:native, data:amd64"),
            Self.package("interp", "Multi-Arch: allowed"), Self.package("tool", "Multi-Arch: foreign"),
            Self.package("data", architecture: "all"), Self.package("bad-any", "Depends: tool:any"),
            Self.package("foreign-arch", "Depends: interp:i386"), Self.package("lib32", architecture: "i386"),
            Self.package("wants-lib32", "Depends: lib32"))
        #expect(try Self.resolve(resolver, "app") == ["app=1.0", "data=1.0", "interp=1.0", "tool=1.0"])
        #expect(
            Self.message(resolver, "bad-any")
                == "cannot satisfy 'tool:any' needed by bad-any (bad-any 1.0 (amd64)): the apt lists have tool 1.0; "
                + "'tool:any' needs a package with Multi-Arch: allowed")
        #expect(
            Self.message(resolver, "foreign-arch")
                == "cannot satisfy 'interp:i386' needed by foreign-arch (foreign-arch 1.0 (amd64)): "
                + "the apt lists have interp 1.0; only amd64 and all packages are resolved, not i386")
        #expect(
            Self.message(resolver, "wants-lib32")
                == "cannot satisfy 'lib32' needed by wants-lib32 (wants-lib32 1.0 (amd64)): "
                + "no package 'lib32' is in the apt lists")
    }

    @Test("missing packages: close names suggested; a missing dependency names the chain that needed it")
    func missing() throws {
        let resolver = try Self.resolver(
            Self.package("python3", "Depends: python3-minimal"),
            Self.package("python3-minimal", "Depends: libgone (>= 2)"),
            Self.package("python3-dev"), Self.package("libgone", version: "1.0"))
        #expect(
            Self.message(resolver, "pyhton3")
                == "package 'pyhton3' is not in the host's apt lists (is `apt-get update` needed?); did you mean python3?"
        )
        #expect(
            Self.message(resolver, "zzzzzz")
                == "package 'zzzzzz' is not in the host's apt lists (is `apt-get update` needed?)")
        #expect(
            Self.message(resolver, "python3")
                == "cannot satisfy 'libgone (>= 2)' needed by python3 → python3-minimal (python3-minimal 1.0 (amd64)): "
                + "the apt lists have libgone 1.0")
        #expect(Self.message(resolver, "Python3") == "'Python3' is not a Debian package name (or NAME=VERSION)")
        #expect(Self.message(resolver, "python3=") == "'python3=': the version after '=' is empty or has spaces")
    }

    @Test("a version constraint against a package already chosen is a conflict naming both")
    func conflict() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Depends: lib (>= 2)"), Self.package("lib", version: "1.0"),
            Self.package("lib", version: "2.0"),
            Self.package("pinned", "Depends: lib (<< 2)"), Self.package("both", "Depends: pinned, app"))
        #expect(
            Self.message(resolver, "lib=1.0", "app")
                == "version conflict: app 1.0 (amd64) needs 'lib (>= 2)' (via app), "
                + "but lib 1.0 (amd64) is already chosen (requested as lib=1.0)")
        #expect(
            Self.message(resolver, "both")
                == "version conflict: app 1.0 (amd64) needs 'lib (>= 2)' (via both → app), "
                + "but lib 1.0 (amd64) is already chosen (for 'lib (<< 2)' of both → pinned)")
        #expect(
            Self.message(resolver, "lib=1.0", "lib=2.0")
                == "version conflict: lib 2.0 (amd64) (requested as lib=2.0) and lib 1.0 (amd64) "
                + "(requested as lib=1.0) cannot both be chosen")
    }

    @Test("Conflicts and Breaks within the closure are reported, not solved")
    func conflictsReported() throws {
        let resolver = try Self.resolver(
            Self.package("app", "Depends: a, b"), Self.package("a", "Breaks: b (<< 2)"), Self.package("b"),
            Self.package("self", "Provides: mta", "Conflicts: mta, self"),
            Self.package("fine", "Depends: a, c"), Self.package("c", "Conflicts: b (>= 2)"),
            Self.package("virtual-clash", "Depends: self, other"), Self.package("other", "Conflicts: mta"))
        #expect(
            Self.message(resolver, "app")
                == "the closure cannot be installed: a 1.0 (amd64) has 'Breaks: b (<< 2)' and b 1.0 (amd64) is in it "
                + "(conflicts are reported, not solved: pin other versions)")
        #expect(try Self.resolve(resolver, "self") == ["self=1.0"])
        #expect(try Self.resolve(resolver, "fine") == ["a=1.0", "c=1.0", "fine=1.0"])
        #expect(
            Self.message(resolver, "virtual-clash").hasPrefix(
                "the closure cannot be installed: other 1.0 (amd64) has 'Conflicts: mta' and self 1.0"))
    }

    @Test("a chosen package whose list lacks Filename or SHA256 cannot be pinned")
    func unpinnable() throws {
        let resolver = DebianResolver(
            index: try DebianPackageIndex(
                parsing: Array("Package: bare\nVersion: 1\nArchitecture: all\nSHA256: 12\n".utf8), source: "test"))
        #expect(Self.message(resolver, "bare") == "bare 1 (all) in test has no Filename: cannot pin it")
        #expect(try resolver.resolvePackages([try DebianRequest("bare")]).map(\.name) == ["bare"])
    }
}
