import KeelArchive
import KeelLinux

/// Installs a wheel into a prefix laid out exactly as
/// `pip install --no-deps --no-compile --prefix PREFIX WHEEL` lays it out (pip 23, a Python
/// without distribution patches): the archive's top level, `.data/purelib` and
/// `.data/platlib` in `lib/pythonX.Y/site-packages`; `.data/scripts` in `bin` with a
/// `#!python` first line rewritten to the interpreter; `.data/headers` in
/// `include/pythonX.Y/NAME`; `.data/data` in the prefix; a launcher in `bin` for each
/// console and GUI entry point, byte for byte as pip writes it; the `.dist-info` with
/// `INSTALLER` and a rewritten `RECORD` (paths relative to site-packages, rows sorted, the
/// wheel's hashes kept and new files hashed with SHA-256).
///
/// Where the result deliberately differs from pip's: `INSTALLER` says `keel`, not `pip`; no
/// `REQUESTED` or `direct_url.json` is written (they describe how pip was asked, not the
/// wheel); and every `.data/scripts` file is 0755 (pip leaves one the archive did not mark
/// executable 0644, which no one can run).
///
/// Every member is checked against the hash and size the wheel's `RECORD` gives while it is
/// extracted, every member must be listed there (save RECORD and its signatures), and every
/// listed file must be present. Member names that would escape the prefix are refused, and no
/// existing file is overwritten. Modes are 0644, or 0755 for scripts, launchers and members the
/// archive marks executable; directories made are 0755; the same wheel gives the same bytes.
/// On any failure, what this install wrote is removed again.
///
/// Blocking: run it on a worker thread.
public struct WheelInstaller: Sendable {
    /// The interpreter path written into scripts' `#!` lines (as the agent sees it, such as
    /// `/usr/bin/python3`).
    public let interpreter: String
    /// The Python version the prefix is for, `X.Y`.
    public let pythonVersion: String

    /// What `INSTALLER` holds.
    public static let installerName = "keel"

    /// The size of the copying buffer.
    private static var bufferSize: Int { 256 * 1024 }
    /// The largest `RECORD`, `WHEEL`, `entry_points.txt` or `.data/scripts` file read whole.
    private static var memberReadLimit: Int { 64 << 20 }

    /// An installer writing `interpreter` into scripts, for Python `pythonVersion` (`3.11`).
    public init(interpreter: String, pythonVersion: String) {
        self.interpreter = interpreter
        self.pythonVersion = pythonVersion
    }

    /// Installs the wheel file `wheel` below `prefix` (made when missing; it may already
    /// hold other installs, none of whose files is replaced).
    ///
    /// - Returns: what was installed.
    /// - Throws: `RuntimeError` naming the wheel and member at fault: a file name that is not a
    ///   wheel's (an sdist is refused), a corrupt zip, a member whose content does not match
    ///   RECORD, a member missing from RECORD or the other way round, an unsafe path, an
    ///   unknown `.data` scheme key, a bad entry point, two members for one destination, a
    ///   file that already exists, or a failed write.
    public func install(wheel: String, into prefix: String) throws(RuntimeError) -> InstalledWheel {
        try validateSettings()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        let archive = try WheelArchive(path: wheel)
        let plan = try WheelInstallPlan(archive: archive, pythonVersion: pythonVersion, buffer: buffer)
        let writer = try PrefixWriter(prefix: prefix)
        defer { writer.close() }
        do {
            return try write(plan, archive: archive, with: writer, buffer: buffer)
        } catch {
            writer.discard()
            throw error
        }
    }

    private func validateSettings() throws(RuntimeError) {
        let parts = pythonVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else {
            throw RuntimeError("Python version '\(pythonVersion)' is not MAJOR.MINOR (such as 3.11)")
        }
        guard interpreter.hasPrefix("/"), !interpreter.contains("\n"), !interpreter.contains("\r"),
            !interpreter.contains("\0")
        else {
            throw RuntimeError("interpreter '\(interpreter)' must be an absolute path on one line")
        }
    }

    private func write(
        _ plan: WheelInstallPlan, archive: WheelArchive, with writer: PrefixWriter,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(RuntimeError) -> InstalledWheel {
        let shebang = ScriptShebang(interpreter: interpreter)
        let layout = plan.layout
        var rows: [[String]] = []
        var files: [[String]] = []
        for item in plan.members {
            let destination = item.destination.components
            let recordPath = layout.recordPath(of: destination)
            if item.destination.isScript {
                let content = try archive.contents(of: item.member, limit: Self.memberReadLimit, buffer: buffer)
                var check = plan.check(of: item.member)
                content.withUnsafeBytes { check.update($0) }
                try check.finish()
                if let rewritten = shebang.rewritingPythonLine(of: content) {
                    try writer.makeFile(destination, executable: true, bytes: rewritten)
                    rows.append([recordPath, RecordDigest.sha256(of: rewritten).text, String(rewritten.count)])
                } else {
                    try writer.makeFile(destination, executable: true, bytes: content)
                    rows.append(plan.recordRow(of: item.member, at: recordPath))
                }
            } else {
                try writer.makeFile(destination, executable: item.member.isExecutable) { file throws(RuntimeError) in
                    var check = plan.check(of: item.member)
                    try archive.stream(item.member, buffer: buffer) { chunk throws(RuntimeError) in
                        check.update(chunk)
                        try writer.write(chunk, to: file, path: destination)
                    }
                    try check.finish()
                }
                rows.append(plan.recordRow(of: item.member, at: recordPath))
            }
            files.append(destination)
        }
        for script in plan.scripts {
            let destination = layout.scripts + [script.name]
            let launcher = script.launcher(shebang: shebang.launcher)
            try writer.makeFile(destination, executable: true, bytes: launcher)
            rows.append([
                layout.recordPath(of: destination), RecordDigest.sha256(of: launcher).text, String(launcher.count),
            ])
            files.append(destination)
        }
        let installer = Array("\(Self.installerName)\n".utf8)
        try writer.makeFile(plan.installerPath, executable: false, bytes: installer)
        rows.append(
            [
                layout.recordPath(of: plan.installerPath), RecordDigest.sha256(of: installer).text,
                String(installer.count),
            ])
        rows.append([layout.recordPath(of: plan.recordPath), "", ""])
        rows.sort { left, right in
            left.map { Array($0.utf8) }.lexicographicallyPrecedes(right.map { Array($0.utf8) }) {
                $0.lexicographicallyPrecedes($1)
            }
        }
        try writer.makeFile(plan.recordPath, executable: false, bytes: Array(RecordCSV.text(of: rows).utf8))
        files.append(contentsOf: [plan.installerPath, plan.recordPath])
        let sortedFiles = files.map { $0.joined(separator: "/") }.sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
        return InstalledWheel(
            name: archive.fileName.distribution, normalizedName: archive.fileName.normalizedName,
            version: archive.fileName.version, sitePackages: layout.sitePackages.joined(separator: "/"),
            distInfo: (layout.sitePackages + [archive.distInfo]).joined(separator: "/"), files: sortedFiles,
            consoleScripts: plan.scripts.map(\.name))
    }
}
