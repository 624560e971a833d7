import KeelCache
import KeelTesting
import Testing

/// `ssh://` URLs and the ssh command line `keel copy` builds from them.
@Suite("keel copy ssh:// destinations", .ownThreads)
struct SSHCopyDestinationTests {
    @Test("URLs with a user, a port, an IPv6 address")
    func parses() throws {
        let plain = try SSHDestination("ssh://builder.example")
        #expect(plain.user == nil && plain.host == "builder.example" && plain.port == nil)
        let full = try SSHDestination("ssh://deploy@10.0.0.2:2222/")
        #expect(full.user == "deploy" && full.host == "10.0.0.2" && full.port == 2222)
        #expect(full.sshTarget == "deploy@10.0.0.2")
        let six = try SSHDestination("ssh://[::1]:22")
        #expect(six.host == "::1" && six.port == 22 && six.description == "ssh://[::1]:22")
    }

    @Test(
        "Malformed URLs are refused, options smuggled as hosts included",
        arguments: [
            "http://host", "ssh://", "ssh://-oProxyCommand=x", "ssh://host:0", "ssh://host:99999", "ssh://host/path",
            "ssh://-l@host", "ssh://a b", "ssh://[::1", "ssh://host?x=1",
        ])
    func refuses(_ url: String) {
        #expect(throws: CacheError.self) { _ = try SSHDestination(url) }
    }

    @Test("The command line: KEEL_SSHOPTS first, the URL's port after, the far command quoted")
    func commandLine() throws {
        let arguments = SSHCommandLine.arguments(
            to: try SSHDestination("ssh://root@host:2200"), extraOptions: " -i key  -o BatchMode=yes ",
            remoteCommand: SSHCommandLine.serveCommand(keel: "/opt/my keel", root: "/var/lib/it's", storeDirectory: nil)
        )
        #expect(
            arguments == [
                "-i", "key", "-o", "BatchMode=yes", "-T", "-x", "-a", "-p", "2200", "--", "root@host",
                #"'/opt/my keel' store serve --stdio --root '/var/lib/it'\''s'"#,
            ])
    }
}
