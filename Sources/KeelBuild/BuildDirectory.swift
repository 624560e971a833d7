import KeelFormats
import KeelLinux
import SystemPackage

/// The host directories of one build, under `ROOT/builds/NAME/`: `root/` is where the sandbox
/// mounts its fresh (tmpfs) `/`, `build/` is the build directory (`/build` inside) and `store/`
/// appears as the store directory inside, so the outputs are written there, on the store's file
/// system. The `/etc` files of the build user live only in the sandbox's tmpfs. A lock file held
/// while the build runs tells `removeAbandoned` which directories a dead process left.
final class BuildDirectory: Sendable {
    /// `ROOT/builds/NAME`.
    let path: String
    /// The sandbox's root on the host.
    let root: String
    /// The build directory on the host.
    let build: String
    /// The host directory that is the store directory inside: outputs appear here.
    let storeDirectory: String
    private let lock: FileDescriptor

    /// Where builds keep their directories.
    static func parent(root: String) -> String { root + "/builds" }

    /// Creates fresh directories for building `name`.
    init(stateRoot: String, name: String) throws {
        let parent = Self.parent(root: stateRoot)
        try FileSystem.makeDirectories(parent)
        path = try FileSystem.makeTemporaryDirectory(in: parent, prefix: name)
        lock = try FileSystem.openOrCreate(Array((path + "/lock").utf8), permissions: 0o600)
        try FileSystem.lock(lock)
        root = path + "/root"
        build = path + "/build"
        storeDirectory = path + "/store"
        for directory in [root, storeDirectory, build] {
            try FileSystem.makeDirectory(Array(directory.utf8), in: FileSystem.currentDirectory, permissions: 0o755)
        }
        try FileSystem.setPermissions(Array(build.utf8), in: FileSystem.currentDirectory, 0o700)
    }

    /// The files of the sandbox's `/etc`: the build user and group, and localhost.
    static let etcFiles: [(path: String, contents: String)] = [
        ("/etc/passwd", passwd), ("/etc/group", group), ("/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n"),
    ]

    /// Where output `path` is written on the host.
    func location(of path: StorePath) -> String { storeDirectory + "/" + path.baseName }

    /// Writes a file into the build directory.
    func writeBuildFile(_ name: String, _ contents: [UInt8]) throws {
        let fd = try FileSystem.createFile(
            Array((build + "/" + name).utf8), in: FileSystem.currentDirectory, permissions: 0o644)
        defer { FileSystem.close(fd) }
        try FileSystem.write(fd, contents, at: 0)
    }

    /// Removes the directories and releases the lock.
    func remove() {
        try? FileSystem.removeTree(Array(path.utf8))
        FileSystem.close(lock)
    }

    /// Removes the build directories under `stateRoot` that no running build holds.
    static func removeAbandoned(stateRoot: String) {
        guard let parent = try? FileSystem.openDirectory(Array(Self.parent(root: stateRoot).utf8)) else { return }
        defer { FileSystem.close(parent) }
        guard let entries = try? DirectoryListing.read(parent) else { return }
        for entry in entries where entry.kind == .directory || entry.kind == .unknown {
            guard let directory = try? FileSystem.openDirectory(entry.name, in: parent) else { continue }
            let lock = try? FileSystem.openOrCreate(Array("lock".utf8), in: directory, permissions: 0o600)
            FileSystem.close(directory)
            guard let lock else { continue }
            if (try? FileSystem.tryLock(lock)) == true { try? FileSystem.removeTree(entry.name, in: parent) }
            FileSystem.close(lock)
        }
    }

    private static let passwd = """
        root:x:0:0:Nix build user:/build:/noshell
        nixbld:x:1000:100:Nix build user:/build:/noshell
        nobody:x:65534:65534:Nobody:/:/noshell

        """

    private static let group = """
        root:x:0:
        nixbld:!:100:
        nogroup:x:65534:

        """
}
