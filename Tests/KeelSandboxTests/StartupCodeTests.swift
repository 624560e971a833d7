import Foundation
import KeelTesting
import Testing

@testable import KeelLinux

@Suite("Giving back start-up code pages", .ownThreads)
struct StartupCodeTests {
    private static let sample = """
        00400000-031d8000 r-xp 00000000 00:1f 123                                /opt/keel/bin/keel
        Size:              45920 kB
        Rss:               19264 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        031d8000-03339000 r--p 02dd8000 00:1f 123                                /opt/keel/bin/keel
        Rss:                1312 kB
        Anonymous:             8 kB
        03339000-05976000 rw-p 02f39000 00:1f 123                                /opt/keel/bin/keel
        Rss:                3812 kB
        Anonymous:           220 kB
        7f0000000000-7f0000001000 r-xp 00000000 00:1f 124                        /opt/my dir/lib.so (deleted)
        Rss:                   4 kB
        Anonymous:             0 kB
        7f0000001000-7f0000002000 r-xp 00000000 00:1f 125                        /opt/odd
        Rss:                 many kB
        Anonymous:             0 kB
        """

    @Test("smaps is read into mappings: bounds, permissions, paths with spaces, resident and written bytes")
    func parse() {
        let mappings = StartupCode.Mapping.parse(Self.sample)
        #expect(mappings.count == 4, "the mapping with an unreadable Rss is left out: \(mappings)")
        #expect(
            mappings.first
                == StartupCode.Mapping(
                    start: 0x40_0000, end: 0x31d_8000, permissions: "r-xp", path: "/opt/keel/bin/keel",
                    residentBytes: 19264 * 1024, anonymousBytes: 0))
        #expect(mappings.map(\.isUnwrittenCode) == [true, false, false, true])
        #expect(mappings.last?.path == "/opt/my dir/lib.so (deleted)")
    }

    @Test("this test process gives its code pages back and goes on running that code")
    func releaseInThisProcess() throws {
        let before = try #require(ProcessMemory.residentBytes(of: getpid()))
        let released = StartupCode.release()
        #expect(released > 0)
        let after = try #require(ProcessMemory.residentBytes(of: getpid()))
        #expect(after < before, "resident \(before) before, \(after) after")
        // The code runs again from the page cache: a parse, a process list, a hash.
        #expect(StartupCode.Mapping.parse(Self.sample).count == 4)
        #expect(try ProcessRunner.run("/bin/true", []).status == 0)
    }
}
