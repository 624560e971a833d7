import KeelLinux

/// Resolves requirements (`numpy==2.1.3`, the lines of a requirements.txt) to the full set of
/// wheels for a target interpreter and platform, as `keel lock` needs them: the host's pip
/// downloads them in `--only-binary :all:` mode, and each file is pinned by name, version, file
/// name and SHA-256. The wheels go into the fetch cache, so a build after the lock downloads
/// nothing.
public struct WheelResolver: Sendable {
    /// How pip is run.
    public let pip: PipCommand
    /// The interpreter and platform the wheels are for.
    public let target: PipTarget
    /// The cache the downloaded wheels are kept in.
    public let cache: WheelFetcher

    /// A resolver running `pip` for `target`, keeping what it downloads in `cache`.
    public init(pip: PipCommand = PipCommand(), target: PipTarget, cache: WheelFetcher) {
        self.pip = pip
        self.target = target
        self.cache = cache
    }

    /// The pins of every wheel `requirements` need, dependencies included, sorted by name. Each
    /// element is one requirement line or the text of a requirements file (blank lines and
    /// comments are skipped; a nested `-r FILE` must be an absolute path). Blocks the calling
    /// thread while pip runs (a few seconds, more for large wheels).
    ///
    /// - Throws: `RuntimeError` naming the package at fault: one with no wheel for the target
    ///   (only a source distribution, or wheels for other platforms), one that does not exist, a
    ///   version no wheel satisfies (with the versions that have one), an index pip cannot reach,
    ///   pip missing; or a file pip left that is not a wheel.
    public func resolve(requirements: [String]) throws(RuntimeError) -> [WheelPin] {
        let lines = requirements.flatMap { $0.split(whereSeparator: \.isNewline) }.map {
            $0.trimmingCharacters(in: " \t")
        }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { return [] }
        let work = try cache.makeWorkDirectory(purpose: "resolve")
        defer { try? FileSystem.removeTree(Array(work.utf8)) }
        try checkInterpreter(scratchFile: "\(work)/python-version")
        let requirementsFile = "\(work)/requirements.txt"
        do {
            try FileSystem.replaceFile(
                atPath: requirementsFile, with: Array((lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            throw RuntimeError("cannot write the requirements for pip: \(error)")
        }
        let destination = "\(work)/wheels"
        let arguments =
            ["download", "--only-binary", ":all:", "--progress-bar", "off"] + target.pipOptions()
            + ["--dest", destination, "-r", requirementsFile]
        let run = try pip.run(arguments, logFile: "\(work)/pip.log")
        guard run.succeeded else {
            let named =
                lines.prefix(3).joined(separator: ", ") + (lines.count > 3 ? " and \(lines.count - 3) more" : "")
            throw PipFailure.error(of: run, action: "resolving \(named)", target: target)
        }
        var pins: [WheelPin] = []
        for file in try WheelFetcher.fileNames(in: destination) {
            let wheel: WheelFileName
            do {
                wheel = try WheelFileName(file)
            } catch {
                throw RuntimeError("pip downloaded a file that is not a wheel: \(error.message)")
            }
            let pin = WheelPin(
                name: wheel.normalizedName, version: wheel.version, fileName: file,
                sha256: try FileDigest.sha256(ofFileAt: "\(destination)/\(file)"))
            if let other = pins.first(where: { $0.name == pin.name }) {
                throw RuntimeError("pip downloaded two wheels of '\(pin.name)': '\(other.fileName)' and '\(file)'")
            }
            pins.append(pin)
        }
        for pin in pins { _ = try cache.keep("\(destination)/\(pin.fileName)", as: pin) }
        return pins.sorted()
    }

    /// Refuses a pip that runs on another Python version than the target's: it would evaluate
    /// dependencies' environment markers for its own version and miss or add packages.
    private func checkInterpreter(scratchFile: String) throws(RuntimeError) {
        guard let version = try pip.interpreterVersion(scratchFile: scratchFile), version != target.pythonVersion
        else { return }
        throw RuntimeError(
            "'\(pip.executable.joined(separator: " "))' runs on Python \(version), not \(target.pythonVersion) as the "
                + "runtime: pip would evaluate dependencies' environment markers for \(version); use a pip running "
                + "on Python \(target.pythonVersion) (the runtime's own)")
    }
}

extension Substring {
    /// The text without leading and trailing `characters`.
    fileprivate func trimmingCharacters(in characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
