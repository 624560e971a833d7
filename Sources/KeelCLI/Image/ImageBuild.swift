import ArgumentParser
import Foundation
import KeelImage
import KeelRuntime
import KeelStore
import KeelSystem

/// `keel image build`: an OCI image of a store path's closure or of an agent.
struct ImageBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an OCI image (layout or archive) of a store path or an agent.",
        discussion: """
            TARGET is a store path: its closure goes in, and --entrypoint, --cmd and --env make \
            the config. Or --agent NAME of the current generation (--generation N for another, \
            -f keel.toml to build the configuration first): its closure and runtime go in, and \
            its command, environment, working directory, user and health-check port make the \
            config. One layer per store path, most referenced first; past --max-layers, paths \
            of similar popularity share layers of even size (--layering nixpkgs: the least \
            referenced all share the last); a customisation layer on top. The same inputs give the \
            same bytes on every run and host. Layers already built since the machine last started \
            are taken from the cache ($KEEL_CACHE_DIR/images, /var/cache/keel/images as root, \
            else ~/.cache/keel/images) without reading them again. OUT is written only when the image is complete.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "A store path whose closure the image holds.")
    var target: String?

    @Option(help: "Build the image of this agent instead of a store path.")
    var agent: String?

    @Option(help: "With --agent: the generation to take it from (default: the current one).")
    var generation: Int?

    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: "With --agent: build this keel.toml and take it from there.")
    var file: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Where the image goes.")
    var output: String

    @Option(help: "oci-dir (a directory), oci-archive or docker-archive (one tar both read).")
    var format: ImageFormat = .ociDirectory

    @Option(help: "NAME[:TAG] of the image (default: the agent's or store path's name, tag latest).")
    var tag: String?

    @Option(help: "Layers in all, the customisation layer included (2-125).")
    var maxLayers: Int = 100

    @Option(
        help: """
            Past --max-layers: balanced (runs of the popularity order, as even in size as the budget \
            allows) or nixpkgs (the least popular paths all share the last layer).
            """)
    var layering: LayerGrouping = .balanced

    @Option(help: "Layer compression: none, gzip or zstd.")
    var compress: LayerCompression = .none

    @Option(help: "With TARGET: the entrypoint, one argument per option.")
    var entrypoint: [String] = []

    @Option(help: "With TARGET: the default arguments, one per option.")
    var cmd: [String] = []

    @Option(help: "With TARGET: an environment variable K=V (repeatable).")
    var env: [String] = []

    @Flag(help: "Print how the layers were chosen.")
    var explain = false

    @Flag(help: "Replace OUT if it exists (an OCI layout, or a file for the archives).")
    var force = false

    @Flag(help: "Build every layer, neither reading nor filling the layer cache.")
    var noCache = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if (target == nil) == (agent == nil) {
            throw ValidationError("give a store path or --agent NAME (one of them)")
        }
        if agent == nil && (generation != nil || file != nil) {
            throw ValidationError("--generation and -f go with --agent")
        }
        if generation != nil && file != nil { throw ValidationError("--generation and -f cannot be combined") }
        if agent != nil && !(entrypoint.isEmpty && cmd.isEmpty && env.isEmpty) {
            throw ValidationError("--entrypoint, --cmd and --env go with a store path; an agent's image takes its own")
        }
        if !(2...ImageBuildRequest.layerLimit).contains(maxLayers) {
            throw ValidationError(
                "--max-layers must be 2 through \(ImageBuildRequest.layerLimit) (Docker refuses deeper images)")
        }
        for entry in env where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--env '\(entry)' is not K=V")
        }
        if let tag { _ = try reference(tag) }
    }

    func run() throws {
        let local = try store.open()
        let collectionLock = try storeOperation { try local.lockAgainstCollection() }
        defer { withExtendedLifetime(collectionLock) {} }
        let source = try agent.map { try agentImage($0, in: local) } ?? pathImage(target ?? "", in: local)
        var request = ImageBuildRequest(
            storeDirectory: local.layout.storeDirectory.path, closure: try closure(of: source.roots, in: local),
            configuration: source.configuration, files: source.files,
            reference: try reference(tag ?? source.defaultName), output: output)
        request.maxLayers = maxLayers
        request.grouping = layering
        request.compression = compress
        request.format = format
        request.replaceExisting = force
        request.cacheDirectory = noCache ? nil : RuntimeCache.directory + "/images"
        let progress = ImageBuildProgress(enabled: !json && isatty(STDERR_FILENO) == 1)
        let result: ImageBuildResult
        do { result = try ImageBuilder.build(request, progress: progress.report) } catch {
            progress.clear()
            throw CLIError("\(error)")
        }
        progress.clear()
        let report = ImageBuildReport(result: result, closure: request.closure, grouping: layering)
        if json {
            print(try JSONOutput.render(report.json))
        } else {
            if explain { report.printExplanation() }
            report.printSummary()
        }
    }

    /// What an image of a store path holds.
    private func pathImage(_ path: String, in local: LocalStore) throws -> ImageSource {
        let storePath = try storeOperation { try local.storePath(path) }
        guard try storeOperation({ try local.isValid(storePath) }) else {
            throw CLIError("'\(path)' is not a valid path in the store \(local.layout.storeDirectory.path)")
        }
        let fullPath = local.fullPath(storePath)
        var configuration = ImageConfiguration()
        var environment = env
        var isDirectory: ObjCBool = false
        if !env.contains(where: { $0.hasPrefix("PATH=") }),
            FileManager.default.fileExists(atPath: fullPath + "/bin", isDirectory: &isDirectory), isDirectory.boolValue
        {
            environment.insert("PATH=" + fullPath + "/bin", at: 0)
        }
        configuration.environment = environment
        configuration.entrypoint = entrypoint.isEmpty ? nil : entrypoint
        configuration.command = cmd.isEmpty ? nil : cmd
        let files = [
            ImageFile(path: "/etc/passwd", kind: .file(Array("root:x:0:0:root:/root:/bin/sh\n".utf8)), mode: 0o644),
            ImageFile(path: "/etc/group", kind: .file(Array("root:x:0:\n".utf8)), mode: 0o644),
            ImageFile(path: "/tmp", kind: .directory, mode: 0o1777),
        ]
        return ImageSource(
            roots: [fullPath], configuration: configuration, files: files, defaultName: String(storePath.name))
    }

    /// What an image of an agent holds, from the generation or configuration asked for.
    private func agentImage(_ name: String, in local: LocalStore) throws -> ImageSource {
        let systemPath: String
        if let file {
            let options = try ConfigOptions.parse(["-f", file])
            let evaluation = try HostEvaluation(options, updateLock: false)
            let plan = try evaluation.plan(for: local.layout.storeDirectory)
            systemPath = local.fullPath(try SystemRealisation().realise(plan, in: local).systemPath)
        } else {
            let profile = Profile(systemIn: local.layout)
            let chosen = try switching { try generation.map { try profile.generation($0) } ?? profile.current() }
            guard let chosen else {
                throw CLIError(
                    generation.map { "there is no generation \($0) (see `keel generations`)" }
                        ?? "there is no current generation: switch to one first, or give -f keel.toml")
            }
            systemPath = chosen.systemPath
        }
        let manifest: SystemManifest
        do {
            manifest = try SystemManifest.decode(try UserFile.read(systemPath + "/manifest.json"))
        } catch let error as EvaluationError {
            throw CLIError("\(systemPath): \(error.description)")
        }
        guard let definition = manifest.agents[name] else {
            let known = manifest.agents.keys.sorted().joined(separator: ", ")
            throw CLIError(
                "there is no agent '\(name)' in \(systemPath) (its agents: \(known.isEmpty ? "none" : known))")
        }
        let image = try AgentImage(name: name, agent: definition)
        return ImageSource(
            roots: image.roots, configuration: image.configuration, files: image.files, defaultName: name)
    }

    /// Every path of the closure of `roots`, with what the layer plan and the cache need.
    private func closure(of roots: [String], in local: LocalStore) throws -> [ClosurePath] {
        try storeOperation {
            let infos = try local.closureInfos(of: try roots.map { try local.storePath($0) })
            return infos.map { info in
                ClosurePath(
                    path: local.fullPath(info.path), narHash: info.narHash.description, narSize: info.narSize,
                    references: info.references.map(local.fullPath))
            }
        }
    }

    private func reference(_ text: String) throws -> ImageReference {
        do { return try ImageReference(parsing: text) } catch { throw ValidationError("--tag: \(error.description)") }
    }
}

/// The parts of an image that depend on what it is of.
struct ImageSource {
    let roots: [String]
    let configuration: ImageConfiguration
    let files: [ImageFile]
    /// The name used when no --tag is given (made a valid image name).
    let defaultName: String

    init(roots: [String], configuration: ImageConfiguration, files: [ImageFile], defaultName name: String) {
        self.roots = roots
        self.configuration = configuration
        self.files = files
        var cleaned = String(
            name.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "-" })
        while cleaned.hasPrefix("-") { cleaned.removeFirst() }
        while cleaned.hasSuffix("-") { cleaned.removeLast() }
        defaultName = cleaned.isEmpty ? "keel-image" : String(cleaned.prefix(128))
    }
}
