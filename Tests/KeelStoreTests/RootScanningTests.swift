import Foundation
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import Testing

@Suite("GC roots are read failing closed", .ownThreads)
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

@Suite("GC roots: links that fail to read, and relative links", .ownThreads)
struct RootLinkTests {
    @Test("a root whose link cannot be read aborts the collection, naming it")
    func unreadableLink() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("protected\n".utf8))
        let protected = try fixture.store.add(tree)
        let link = fixture.store.layout.gcRootsDirectory + "/root"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.store.fullPath(protected))
        var access = RootFileAccess.live
        access.readLink = { path throws(SystemError) in throw SystemError(call: "readlinkat", path: path, errno: EACCES)
        }
        let store = try LocalStore(layout: fixture.store.layout, rootAccess: access)
        let error = #expect(throws: StoreError.self) { try store.collectGarbage() }
        #expect(
            error?.description.contains("cannot read the GC root '\(link)'") == true, "\(String(describing: error))")
        #expect(try store.isValid(protected))
    }

    @Test("relative roots, roots through '.', '..' and '//', and chains of links protect their store path")
    func relativeRoots() throws {
        let fixture = try StoreFixture()
        let roots = fixture.store.layout.gcRootsDirectory
        var protected: [StorePath] = []
        for index in 0..<3 {
            let tree = fixture.temporary.appending("tree\(index)")
            try TestFiles.write(tree, Array("protected \(index)\n".utf8))
            protected.append(try fixture.store.add(tree))
        }
        let loose = fixture.temporary.appending("loose")
        try TestFiles.write(loose, Array("loose\n".utf8))
        let unprotected = try fixture.store.add(loose)
        // ROOT/gcroots/relative -> ../store/<path>
        try FileManager.default.createSymbolicLink(
            atPath: roots + "/relative", withDestinationPath: "../store/" + protected[0].baseName)
        try FileManager.default.createSymbolicLink(
            atPath: roots + "/dotted",
            withDestinationPath: fixture.store.layout.root + "/./gcroots/..//store/" + protected[1].baseName)
        // A chain: gcroots/chain -> ROOT/hop -> store path.
        try FileManager.default.createSymbolicLink(
            atPath: fixture.store.layout.root + "/hop", withDestinationPath: fixture.store.fullPath(protected[2]))
        try FileManager.default.createSymbolicLink(
            atPath: roots + "/chain", withDestinationPath: fixture.store.layout.root + "/hop")
        #expect(try fixture.store.collectGarbage().deleted == [unprotected])
        for path in protected { #expect(try fixture.store.isValid(path)) }
    }

    @Test("a chain of more symlinks than a root may go through aborts the collection")
    func longChain() throws {
        let fixture = try StoreFixture()
        let tree = fixture.temporary.appending("tree")
        try TestFiles.write(tree, Array("far\n".utf8))
        let far = try fixture.store.add(tree)
        var target = fixture.store.fullPath(far)
        for hop in 0..<10 {
            let link = fixture.store.layout.root + "/hop\(hop)"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            target = link
        }
        try FileManager.default.createSymbolicLink(
            atPath: fixture.store.layout.gcRootsDirectory + "/far", withDestinationPath: target)
        let error = #expect(throws: StoreError.self) { try fixture.store.collectGarbage() }
        #expect(error?.description.contains("more than 8 further symlinks") == true, "\(String(describing: error))")
        #expect(try fixture.store.isValid(far))
    }
}
