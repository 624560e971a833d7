import Foundation
import KeelTesting
import Testing

/// A `src` that names a symlink to a directory is that directory's tree, as the check that it
/// is a directory assumes.
@Suite("Review: src through a symlink", .ownThreads)
struct ReviewSourceSymlinkTests {
    @Test("src naming a symlink to a directory gives the directory's store path, not a dangling link")
    func sourceThroughSymlink() throws {
        let fixture = try HostFixture()
        defer { fixture.remove() }
        try fixture.write("releases/42/bin/app", "#!/bin/sh\necho 42\n", permissions: 0o755)
        try FileManager.default.createSymbolicLink(
            atPath: fixture.configDirectory + "/current", withDestinationPath: "releases/42")

        try fixture.writeConfig("[host]\nname = \"linked\"\n\n[packages.app]\nsrc = \"./releases/42\"\n")
        let direct = try HostFixture.packagePath("app", in: try fixture.switchExpectingSuccess())

        try fixture.writeConfig("[host]\nname = \"linked\"\n\n[packages.app]\nsrc = \"./current\"\n")
        let evaluated = try fixture.evalExpectingSuccess()
        let linked = try HostFixture.packagePath("app", in: try fixture.switchExpectingSuccess())
        #expect(try fixture.switchExpectingSuccess() == evaluated)
        #expect(linked == direct)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: linked + "/bin/app", isDirectory: &isDirectory))
        #expect(try fixture.nixTreeHash(linked) == fixture.nixTreeHash(fixture.configDirectory + "/releases/42"))
    }
}
