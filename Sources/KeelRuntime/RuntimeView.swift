import Foundation
import KeelSandbox

/// The file-system view a program from a runtime runs in (an agent that lists a runtime
/// package, `keel run`, `keel shell`): a fresh root holding the runtime's environment
/// read-only — its `usr`, its `bin`, `sbin`, `lib`, `lib64` (bound from their `usr/`
/// directories), every other top-level directory, and each entry of its `etc` — plus `/etc`
/// files made for the program, its own /proc, a minimal /dev and a private /tmp. Nothing of the
/// host's /usr, /lib or /etc is visible; the host's network is (and `resolv.conf`, `hosts` to
/// use it).
///
/// Debian's binaries and the wheels' compiled extensions therefore run unchanged: the loader is
/// at /lib64/ld-linux-x86-64.so.2, libraries in /usr/lib/x86_64-linux-gnu, Python at
/// /usr/bin/python3.X with its standard library in /usr/lib/python3.X and the wheels in
/// /usr/local/lib/python3.X/dist-packages, where Debian's Python looks.
public struct RuntimeView: Sendable {
    /// The environment's store path.
    public let environment: String

    /// The view of `environment`.
    public init(environment: String) { self.environment = environment }

    /// The bind mounts that make the environment the view's file system, sorted by target.
    public func mounts() throws(RuntimeError) -> [SandboxSpec.Mount] {
        let manager = FileManager.default
        let entries: [String]
        do { entries = try manager.contentsOfDirectory(atPath: environment).sorted() } catch {
            throw RuntimeError("runtime environment \(environment) cannot be read: \(error.localizedDescription)")
        }
        var mounts: [SandboxSpec.Mount] = []
        for entry in entries {
            let path = environment + "/" + entry
            let type = (try? manager.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            if entry == "etc" {
                mounts += try etcMounts()
            } else if type == .typeSymbolicLink {
                // bin -> usr/bin: the directory it names, bound where the link is.
                guard let link = try? manager.destinationOfSymbolicLink(atPath: path), !link.hasPrefix("/"),
                    !link.split(separator: "/").contains(".."), isDirectory(environment + "/" + link)
                else { continue }
                mounts.append(.init(source: environment + "/" + link, target: "/" + entry, readOnly: true))
            } else if type == .typeDirectory {
                mounts.append(.init(source: path, target: "/" + entry, readOnly: true))
            }
        }
        return mounts
    }

    /// Each entry of the environment's `etc`, bound at /etc/NAME, except the files the view
    /// writes itself; a link to an absolute path is bound from that path inside the
    /// environment, never from the host.
    private func etcMounts() throws(RuntimeError) -> [SandboxSpec.Mount] {
        let manager = FileManager.default
        let etc = environment + "/etc"
        let names = ((try? manager.contentsOfDirectory(atPath: etc)) ?? []).sorted()
        var mounts: [SandboxSpec.Mount] = []
        for name in names where !RuntimeEnvironment.viewFiles.contains(name) {
            var source = etc + "/" + name
            if let link = try? manager.destinationOfSymbolicLink(atPath: source) {
                let inside = link.hasPrefix("/") ? environment + link : etc + "/" + link
                guard manager.fileExists(atPath: inside), !link.split(separator: "/").contains("..") else { continue }
                source = inside
            }
            mounts.append(.init(source: source, target: "/etc/" + name, readOnly: true))
        }
        return mounts
    }

    /// The sandbox running `program` in this view: a fresh tmpfs root mounted on `emptyRoot`
    /// (an empty host directory; several views may share it), the environment's mounts, then
    /// `extraMounts` (store paths, state and working directories, each at its own path), the
    /// `/etc` files for `user`, the host's network, and `user` inside mapped to the same ids
    /// outside (never more than the caller has), in the caller's PID namespace.
    public func sandboxSpec(
        program: String, arguments: [String], environment: [String: String], workingDirectory: String,
        extraMounts: [SandboxSpec.Mount], user: (uid: UInt32, gid: UInt32, name: String), home: String,
        hostname: String, emptyRoot: String
    ) throws(RuntimeError) -> SandboxSpec {
        var spec = SandboxSpec(
            executable: program, arguments: arguments, environment: environment, root: emptyRoot,
            mounts: try mounts() + extraMounts, workingDirectory: workingDirectory, hostname: hostname,
            network: .host, insideUser: (user.uid, user.gid), outsideUser: (user.uid, user.gid))
        spec.freshRoot = true
        spec.files = Self.etcFiles(user: user, home: home, hostname: hostname)
        // The program is not PID 1: SIGTERM ends a program that has no handler for it, as on
        // the host; /proc is the host's.
        spec.ownProcessNamespace = false
        return spec
    }

    /// The `/etc` files written for a program running as `user` (uid, gid, name) with `home`,
    /// on a host called `hostname`.
    public static func etcFiles(
        user: (uid: UInt32, gid: UInt32, name: String), home: String, hostname: String
    ) -> [SandboxSpec.File] {
        var passwd = "root:x:0:0:root:/root:/bin/sh\n"
        var group = "root:x:0:\n"
        if user.uid != 0 { passwd += "\(user.name):x:\(user.uid):\(user.gid)::\(home):/bin/sh\n" }
        if user.gid != 0 { group += "\(user.name):x:\(user.gid):\n" }
        var files = [
            SandboxSpec.File(path: "/etc/hostname", contents: Array("\(hostname)\n".utf8)),
            SandboxSpec.File(path: "/etc/passwd", contents: Array(passwd.utf8)),
            SandboxSpec.File(path: "/etc/group", contents: Array(group.utf8)),
        ]
        let hosts = (try? Data(contentsOf: URL(fileURLWithPath: "/etc/hosts"))).map { [UInt8]($0) }
        files.append(
            SandboxSpec.File(
                path: "/etc/hosts", contents: hosts ?? Array("127.0.0.1 localhost \(hostname)\n::1 localhost\n".utf8)))
        if let resolver = try? Data(contentsOf: URL(fileURLWithPath: "/etc/resolv.conf")) {
            files.append(SandboxSpec.File(path: "/etc/resolv.conf", contents: [UInt8](resolver)))
        }
        return files
    }

    private func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
