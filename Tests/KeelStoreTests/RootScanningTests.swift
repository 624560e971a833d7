import Foundation
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import Testing

@Suite("GC roots are read failing closed")
struct RootScanningTests {
    /// The live file access, except that listing any directory named `unreadable` fails with
    /// `errno`.
    static func failingListing(errno: Int32) -> RootFileAccess {
        var access = RootFileAccess.live
        let live = access.list
        access.list = { path throws(SystemError) in
            if path.hasSuffix("/unreadable") { throw SystemError(call: "openat", path: path, errno: errno) }
            return try live(path)
        }
        return access
    }

    @Test("a roots directory that cannot be listed aborts the collection, naming it, and nothing is deleted")
    func unreadableRootsDirectory() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("protected\n".utf8))
        let protected = try fixture.store.add(tree)
        let directory = fixture.store.layout.gcRootsDirectory + "/unreadable"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/root", withDestinationPath: fixture.store.fullPath(protected))
        let store = try LocalStore(layout: fixture.store.layout, rootAccess: Self.failingListing(errno: EIO))
        let error = #expect(throws: StoreError.self) { try store.collectGarbage() }
        #expect(
            error?.description.contains("cannot read the GC root '\(directory)'") == true,
            "\(String(describing: error))")
        #expect(error?.description.contains("nothing was collected") == true)
        #expect(throws: StoreError.self) { try store.delete([protected]) }
        #expect(try store.isValid(protected))
        #expect(FileManager.default.fileExists(atPath: fixture.store.fullPath(protected)))
        // With the listing working again, the root is seen and still protects the path.
        #expect(try fixture.store.collectGarbage().deleted.isEmpty)
        #expect(try fixture.store.roots().map(\.target) == [protected])
    }

    @Test("a root that vanishes while it is read is no root, and dangling or outside links protect nothing")
    func vanishedRoots() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("loose\n".utf8))
        let loose = try fixture.store.add(tree)
        let roots = fixture.store.layout.gcRootsDirectory
        try FileManager.default.createSymbolicLink(atPath: roots + "/dangling", withDestinationPath: "/nonexistent/x")
        try FileManager.default.createSymbolicLink(atPath: roots + "/outside", withDestinationPath: tree)
        try FileManager.default.createDirectory(atPath: roots + "/unreadable", withIntermediateDirectories: true)
        let store = try LocalStore(layout: fixture.store.layout, rootAccess: Self.failingListing(errno: ENOENT))
        #expect(try store.collectGarbage().deleted == [loose])
    }
}
