import ArgumentParser
import Foundation
import KeelConfig
import KeelLinux
import SystemPackage

/// `keel init [DIR]`: a commented starter keel.toml.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter keel.toml with one agent.",
        discussion: """
            Writes DIR/keel.toml (DIR defaults to the current directory, and is created if \
            missing). An existing keel.toml is never overwritten. Then: `keel eval` prints the \
            system it gives, `keel switch` makes it the current generation.
            """
    )

    @Argument(help: "The directory to write keel.toml in.")
    var directory: String = "."

    @Option(help: "The host name to write in [host].")
    var host: String?

    func run() throws {
        let name = host ?? Self.defaultHostName
        guard HostSpec.isValidName(name) else {
            throw CLIError(
                "invalid host name '\(name)': use letters, digits, '-', '_' and '.' (at most 63, not starting with '.' or '-')",
                status: .usage)
        }
        do { try FileSystem.makeDirectories(directory) } catch {
            throw CLIError("cannot create '\(directory)': \(error.reason)")
        }
        let path = directory + "/keel.toml"
        let dir: FileDescriptor
        do throws(KeelLinux.SystemError) { dir = try FileSystem.openDirectory(Array(directory.utf8)) } catch {
            throw CLIError("cannot open '\(directory)': \(error.reason)")
        }
        defer { FileSystem.close(dir) }
        do throws(KeelLinux.SystemError) {
            let fd = try FileSystem.createFile(Array("keel.toml".utf8), in: dir, permissions: 0o644)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, Array(Self.starter(host: name).utf8), at: 0)
        } catch let error where error.errno == EEXIST {
            throw CLIError("'\(path)' already exists; keel init never overwrites it")
        } catch {
            throw CLIError("cannot write '\(path)': \(error.reason)")
        }
        print("wrote \(path); next: keel eval -f \(path), then keel switch -f \(path)")
    }

    /// This machine's host name made safe for [host] name, or "my-host".
    static var defaultHostName: String {
        let name = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        let safe = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return HostSpec.isValidName(safe) ? safe : "my-host"
    }

    /// The starter file.
    static func starter(host: String) -> String {
        """
        # keel.toml: everything this host runs. Keep it in git with keel.lock beside it.
        # Every key is described in docs/config.md. Check it with `keel eval`, apply it with
        # `keel switch`, go back with `keel rollback`.

        [host]
        name = "\(host)"                 # the system path is keel-system-<name>

        # Packages become store paths. A local tree (files matched by its .gitignore or
        # .keelignore are left out):
        #
        # [packages.my-agent]
        # src = "./agent"
        #
        # A download pinned by hash (`keel lock` records it in keel.lock):
        #
        # [packages.tool]
        # url = "https://example.org/tool-1.0.tar.gz"
        # unpack = true

        [agents.hello]
        # The program and its arguments; "${packages.NAME}" expands to a package's store path.
        command = ["/bin/sh", "-c", "while :; do echo hello from $HOSTNAME; sleep 10; done"]
        env = { HOSTNAME = "\(host)" }
        restart = { policy = "always", initial_backoff = "1s", max_backoff = "1m" }
        stop_timeout = "5s"
        # isolation = "strict"           # see only its closure, its state dir and host_paths
        # limits = { memory = "256M", pids = 64 }

        [safeswitch]
        probation = "30s"                 # a new generation is watched this long, then marked good
        crash_loop = { exits = 3, within = "30s" }

        """
    }
}
