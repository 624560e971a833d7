import KeelRuntime
import KeelTesting
import Testing

/// What runtimes leave out of each .deb: Debian's slim-image rules.
@Suite(.ownThreads) struct DebianDocumentationTests {
    @Test("manual pages, translations, docs (but copyright) are left out; programs and data stay")
    func rule() {
        func leftOut(_ path: String) -> Bool {
            DebianDocumentation.isLeftOut(path.split(separator: "/").map { Array($0.utf8) })
        }
        for path in [
            "usr/share/man/man1/python3.11.1.gz", "usr/share/locale/de/LC_MESSAGES/dpkg.mo",
            "usr/share/info/dir", "usr/share/lintian/overrides/libc6", "usr/share/doc/libc6/changelog.gz",
            "usr/share/doc/libc6/examples/x.c", "usr/share/groff/current/tmac", "usr/share/linda/overrides/x",
        ] {
            #expect(leftOut(path), "\(path)")
        }
        for path in [
            "usr/share/doc/libc6/copyright", "usr/share/doc/libc6", "usr/share/doc", "usr/share/man",
            "usr/bin/python3.11", "usr/lib/python3.11/os.py", "usr/share/zoneinfo/UTC", "usr/share/locale",
            "etc/python3.11/sitecustomize.py", "usr/lib/locale/C.utf8/LC_CTYPE",
        ] {
            #expect(!leftOut(path), "\(path)")
        }
    }
}
