import KeelConfig
import KeelTesting
import Testing

/// `[host] env`: its values may name packages as agents' values do, and are checked the same way.
@Suite(.ownThreads) struct HostEnvironmentTests {
    @Test func unknownPackageInHostEnvironmentIsPositioned() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let text = """
            [host]
            name = "web"
            env = { TOOLS = "${packages.tols}/bin", PLAIN = "$${literal}" }

            [packages.tools]
            src = "./site"
            """
        #expect(
            fixture.problems(text) == [
                "keel.toml:3:18: unknown package 'tols' in ${packages.tols} (did you mean 'tools'?)"
            ])
    }

    @Test func hostEnvironmentKeepsItsReferences() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse(
            """
            [host]
            name = "web"
            env = { TOOLS = "${packages.tools}/bin" }

            [packages.tools]
            src = "./site"
            """)
        let value = try #require(configuration.host.environment.first { $0.key == "TOOLS" }?.value)
        #expect(value.value == "${packages.tools}/bin")
        #expect(try PackageReference.occurrences(in: value.value).map(\.name) == ["tools"])
    }
}
