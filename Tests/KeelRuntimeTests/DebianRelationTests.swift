import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianRelation parses relationship fields", .ownThreads)
struct DebianRelationTests {
    func groups(_ field: String) throws(RuntimeError) -> [[String]] {
        try DebianRelation.parseGroups(field).map { $0.map(\.description) }
    }

    @Test("groups of alternatives with constraints and architecture qualifiers")
    func alternatives() throws {
        #expect(
            try groups("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any,perl:native (<< 6~)")
                == [
                    ["libc6 (>= 2.34)"], ["debconf (>= 0.5)", "debconf-2.0"], ["python3:any"], ["perl:native (<< 6~)"],
                ])
        let relation = try #require(try DebianRelation.parseGroups("libfoo:amd64 ( >=1:2.0-1 )").first?.first)
        #expect(relation.name == "libfoo")
        #expect(relation.architectureQualifier == "amd64")
        #expect(relation.constraint?.relation == .laterOrEqual)
        #expect(relation.constraint?.version == (try DebianVersion("1:2.0-1")))
        #expect(try groups("") == [])
        #expect(try groups("a,\n b |\n c,") == [["a"], ["b", "c"]])
        #expect(
            try groups("a (< 1), b (> 2), c (= 3), d (<= 4), e (>> 5)") == [
                ["a (<= 1)"], ["b (>= 2)"], ["c (= 3)"], ["d (<= 4)"], ["e (>> 5)"],
            ])
    }

    @Test("drops alternatives restricted to other architectures or to build profiles")
    func restrictions() throws {
        #expect(
            try groups("a [amd64], b [!amd64], c [i386 arm64] | d [linux-any], e [!i386], f [any-amd64]")
                == [["a"], ["d"], ["e"], ["f"]])
        #expect(
            try groups("a <!nocheck>, b <stage1>, c <stage1> <!cross>, d <!nocheck !cross>, e <!x stage1>") == [
                ["a"], ["c"], ["d"],
            ])
        #expect(try groups("a [amd64] <!nocheck>, b [i386] <!nocheck>") == [["a"]])
        #expect(try groups("a [i386] | b [armhf]") == [])
        #expect(try groups("a [arm64]") == [])
        #expect(try DebianRelation.parseGroups("a [arm64]", hostArchitecture: "arm64").count == 1)
    }

    @Test(
        "refuses malformed fields with a message quoting them",
        arguments: [
            "a | | b", "a (>= )", "a (~ 1)", "a (>= 1", "a [amd64", "a [amd64 !i386]", "a <stage1", "a []",
            "Foo", "a:", "a b", "a (>= 1 2)",
        ])
    func refused(field: String) {
        do {
            _ = try DebianRelation.parseGroups(field)
            Issue.record("'\(field)' was accepted")
        } catch {
            #expect(error.message.hasPrefix("invalid relationship field '\(field)': "), "\(error)")
        }
    }

    @Test("a constraint holds as dpkg compares")
    func constraints() throws {
        func holds(_ operator: DebianVersionConstraint.Operator, _ bound: String, _ candidate: String) throws -> Bool {
            DebianVersionConstraint(`operator`, try DebianVersion(bound)).isSatisfied(by: try DebianVersion(candidate))
        }
        #expect(try holds(.laterOrEqual, "2.34", "2.36-9+deb12u14"))
        #expect(try !holds(.earlier, "2.34", "2.34"))
        #expect(try holds(.earlierOrEqual, "2.34", "2.34"))
        #expect(try holds(.equal, "1.0", "1.00-0"))
        #expect(try holds(.later, "1.0", "1.0-1"))
        #expect(try !holds(.later, "1.0", "1.0~1"))
        #expect(try holds(.earlier, "3.0.12~", "3.0.11-1~deb12u2"))
    }
}
