import Foundation
import KeelImage
import KeelSupervisor
import KeelSystem

/// What the image of one agent holds and how it starts: the closure of its store paths (and
/// its runtime environment), its resolved command as the entrypoint, its environment, working
/// directory, user and ports as the config, and a customisation layer with what the
/// supervisor would give it: its state and runtime directories, `/etc/passwd` and
/// `/etc/group`, a `/tmp`, and — for an agent on a runtime — the runtime's FHS view (`/usr`,
/// `/bin`, `/lib64`, `/etc/…` linked to the environment), so the same program runs unchanged.
///
/// Paths are fixed, not the building host's: the state directory is
/// `/var/lib/keel/state/NAME` and the runtime directory `/run/keel/agents/NAME` (as under
/// the default root), so an image is the same whichever root built it. An agent with a
/// `user` or with `isolation = "strict"` runs as 65534:65534 (named after its `user`, else
/// `nobody`), as strict agents do under the supervisor, never as root; others run as root.
/// Its `host_paths` become volumes: the image declares them, the container runtime mounts
/// them.
struct AgentImage {
    /// The store paths whose closure goes in.
    let roots: [String]
    /// The image config (diff_ids and history are the builder's).
    let configuration: ImageConfiguration
    /// The customisation layer.
    let files: [ImageFile]

    /// The image of agent `name` defined by `agent`.
    ///
    /// - Throws: `CLIError` when its program is not found where it will run.
    init(name: String, agent: SystemManifest.Agent) throws {
        let stateDirectory = "/var/lib/keel/state/" + name
        let runtimeDirectory = "/run/keel/agents/" + name
        let runsAsRoot = agent.user == nil && agent.isolation != "strict"
        let userName = agent.user ?? "nobody"
        let owner =
            runsAsRoot
            ? ImageFileOwner.root : ImageFileOwner(uid: 65534, gid: 65534, userName: userName, groupName: userName)

        var environment = agent.env
        environment["KEEL_AGENT"] = name
        environment["KEEL_STATE_DIR"] = stateDirectory
        environment["KEEL_RUNTIME_DIR"] = runtimeDirectory
        if environment["HOME"] == nil { environment["HOME"] = stateDirectory }
        let program: String
        do {
            program = try AgentProgram.resolve(
                agent.command.first ?? "", searchPath: environment["PATH"], agent: name, inside: agent.runtime)
        } catch {
            throw CLIError(error.description)
        }
        let workingDirectory = agent.workingDir ?? stateDirectory

        var configuration = ImageConfiguration(architecture: ImageConfiguration.hostArchitecture)
        configuration.user = runsAsRoot ? nil : "65534:65534"
        configuration.environment = environment.keys.sorted().map { "\($0)=\(environment[$0] ?? "")" }
        configuration.entrypoint = [program] + agent.command.dropFirst()
        configuration.workingDirectory = workingDirectory
        configuration.exposedPorts = Self.ports(of: agent.health)
        configuration.volumes = agent.hostPaths.keys.sorted()
        configuration.labels = ["dev.keel.agent": name]
        configuration.stopSignal = "SIGTERM"
        self.configuration = configuration

        var files = [
            ImageFile(
                path: "/etc/passwd", kind: .file(Array(Self.passwd(owner: owner, home: stateDirectory).utf8)),
                mode: 0o644),
            ImageFile(path: "/etc/group", kind: .file(Array(Self.group(owner: owner).utf8)), mode: 0o644),
            ImageFile(path: "/tmp", kind: .directory, mode: 0o1777),
            ImageFile(path: stateDirectory, kind: .directory, mode: 0o700, owner: owner),
            ImageFile(path: runtimeDirectory, kind: .directory, mode: 0o700, owner: owner),
        ]
        if workingDirectory != stateDirectory {
            files.append(ImageFile(path: workingDirectory, kind: .directory, mode: 0o755, owner: owner))
        }
        var roots = agent.references
        if let runtime = agent.runtime {
            roots.append(runtime)
            files += try RuntimeViewFiles(environment: runtime, reserved: Set(files.map(\.path))).files()
        }
        self.files = files
        self.roots = roots
    }

    /// `8080/tcp` for a health check on port 8080.
    static func ports(of health: SystemManifest.Health?) -> [String] {
        var port: String?
        if let http = health?.http, let url = URL(string: http) {
            port = url.port.map(String.init) ?? (url.scheme == "https" ? "443" : "80")
        } else if let tcp = health?.tcp, let colon = tcp.lastIndex(of: ":") {
            port = String(tcp[tcp.index(after: colon)...])
        }
        guard let port, let number = Int(port), (1...65535).contains(number) else { return [] }
        return ["\(number)/tcp"]
    }

    static func passwd(owner: ImageFileOwner, home: String) -> String {
        var text = "root:x:0:0:root:/root:/bin/sh\n"
        if owner.uid != 0 { text += "\(owner.userName):x:\(owner.uid):\(owner.gid)::\(home):/bin/sh\n" }
        return text
    }

    static func group(owner: ImageFileOwner) -> String {
        var text = "root:x:0:\n"
        if owner.gid != 0 { text += "\(owner.groupName):x:\(owner.gid):\n" }
        return text
    }
}
