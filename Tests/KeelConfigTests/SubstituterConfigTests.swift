import KeelConfig
import KeelTesting
import Testing

@Suite("[host] substituters and trusted_public_keys", .ownThreads)
struct SubstituterConfigTests {
    @Test("Valid caches and keys are kept in order; both default to none")
    func valid() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.parse(
            """
            [host]
            name = "box"
            substituters = ["http://127.0.0.1:8080", "file:///var/cache/keel-cache", "https://cache.example.org/x"]
            trusted_public_keys = ["test-cache-1:fPoRQMf8kWxlR3hysfn0jZkLMqpjLWJnsUu9mtl3b1g="]
            """)
        #expect(
            configuration.host.substituters == [
                "http://127.0.0.1:8080", "file:///var/cache/keel-cache", "https://cache.example.org/x",
            ])
        #expect(configuration.host.trustedPublicKeys == ["test-cache-1:fPoRQMf8kWxlR3hysfn0jZkLMqpjLWJnsUu9mtl3b1g="])
        let plain = try fixture.parse("[host]\nname = \"box\"\n")
        #expect(plain.host.substituters.isEmpty && plain.host.trustedPublicKeys.isEmpty)
    }

    @Test("Unusable caches and malformed keys are named at their position")
    func problems() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let problems = fixture.problems(
            """
            [host]
            name = "box"
            substituters = ["s3://bucket", "file://relative/dir", "http:///nohost", 7]
            trusted_public_keys = ["no-colon", "k:bm90IGEga2V5"]
            """)
        #expect(problems.count == 6, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("keel.toml:3:17: substituter \"s3://bucket\": Keel substitutes") })
        #expect(problems.contains { $0.hasPrefix("keel.toml:3:32: substituter \"file://relative/dir\": a file://") })
        #expect(problems.contains { $0.hasPrefix("keel.toml:3:55: substituter \"http:///nohost\": no host") })
        #expect(problems.contains { $0.contains("'host.substituters[3]' must be a string") })
        #expect(problems.contains { $0.hasPrefix("keel.toml:4:24: trusted public key \"no-colon\"") })
        #expect(problems.contains { $0.hasPrefix("keel.toml:4:36: trusted public key \"k:bm90IGEga2V5\"") })
    }
}
