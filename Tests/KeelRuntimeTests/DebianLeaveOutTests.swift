import KeelRuntime
import KeelTesting
import Testing

/// What a runtime's `leave_out` keeps out of its .debs: the paths and what is inside them, in
/// either spelling of merged /usr.
@Suite(.ownThreads) struct DebianLeaveOutTests {
    private func components(_ path: String) -> [[UInt8]] { path.split(separator: "/").map { Array($0.utf8) } }

    @Test("a path and everything in it are left out, in either /usr spelling; neighbours and parents stay")
    func matching() {
        let leaveOut = DebianLeaveOut(["/usr/lib/x86_64-linux-gnu/gconv", "/lib/udev", "/etc/cron.daily/apt"])
        for path in [
            "usr/lib/x86_64-linux-gnu/gconv", "usr/lib/x86_64-linux-gnu/gconv/ISO8859-1.so",
            "lib/x86_64-linux-gnu/gconv/gconv-modules", "usr/lib/udev/rules.d/x.rules", "lib/udev",
            "etc/cron.daily/apt",
        ] {
            #expect(leaveOut.isLeftOut(components(path)), "\(path)")
        }
        for path in [
            "usr/lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu/gconv2", "usr/lib/x86_64-linux-gnu/libc.so.6",
            "usr/lib", "etc/cron.daily", "etc/cron.daily/apt-compat", "usr/share/udev",
        ] {
            #expect(!leaveOut.isLeftOut(components(path)), "\(path)")
        }
        #expect(!DebianLeaveOut.none.isLeftOut(components("usr/lib/x86_64-linux-gnu/gconv")))
    }

    @Test("the recorded form is merged, sorted and without repeats, so equal declarations make equal paths")
    func recorded() {
        let written = DebianLeaveOut(["/lib/udev", "/usr/lib/udev", "/etc/a"])
        #expect(written.paths == ["/etc/a", "/usr/lib/udev"])
        #expect(written.recorded == "/etc/a\n/usr/lib/udev")
        #expect(written == DebianLeaveOut(["/etc/a", "/usr/lib/udev"]))
        #expect(DebianLeaveOut.none.isEmpty && !written.isEmpty)
    }
}
