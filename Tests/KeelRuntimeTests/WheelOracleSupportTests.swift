import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

/// The host's Python and pip, the oracle the wheel installer is compared with (test-only).
struct PipOracle {
    /// Where pip put each part of an install under a prefix (`pip._internal.locations`).
    struct Scheme: Decodable {
        let purelib: String
        let platlib: String
        let scripts: String
        let data: String
        let headers: String
    }

    /// The interpreter as run (`python3` from PATH, or a path).
    let python: String
    /// Its `sys.executable`: the path pip writes into scripts.
    let executable: String
    /// `X.Y`.
    let version: String

    /// The host's `python3`, asked for its executable and version.
    static func host() throws -> PipOracle { try PipOracle(python: ProcessRunner.resolve("python3")) }

    init(python: String) throws {
        self.python = python
        let result = try Self.run(
            python, ["-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"])
        let lines = result.output.split(separator: "\n").map(String.init)
        try #require(result.status == 0 && lines.count == 2, "python3 did not run: \(result.errorOutput)")
        executable = lines[0]
        version = lines[1]
    }

    /// The same Python run through another path (a symlink to its real executable).
    func through(_ path: String) throws -> PipOracle {
        let real = try Self.run(python, ["-c", "import os, sys; print(os.path.realpath(sys.executable))"])
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: path, withDestinationPath: real.output.trimmingCharacters(in: .whitespacesAndNewlines))
        return try PipOracle(python: path)
    }

    /// `pip install --no-deps --no-compile --no-index --prefix PREFIX WHEEL`.
    func install(_ wheel: String, prefix: String) throws {
        let result = try Self.run(
            python,
            [
                "-m", "pip", "install", "--no-deps", "--no-compile", "--no-index", "--ignore-installed",
                "--no-warn-script-location",
                "--no-cache-dir", "--disable-pip-version-check", "-q", "--prefix", prefix, wheel,
            ])
        try #require(result.status == 0, "pip install \(wheel) failed: \(result.errorOutput)")
    }

    /// `pip download --only-binary :all: --no-deps -d DIRECTORY REQUIREMENTS…` with `options`.
    func download(_ requirements: [String], into directory: String, options: [String] = []) throws {
        let result = try Self.run(
            python,
            [
                "-m", "pip", "download", "-q", "--only-binary", ":all:", "--no-deps", "--no-cache-dir",
                "--disable-pip-version-check", "-d", directory,
            ] + options + requirements)
        try #require(result.status == 0, "pip download \(requirements) failed: \(result.errorOutput)")
    }

    /// Where pip installs the project `name` under `prefix`.
    func scheme(name: String, prefix: String) throws -> Scheme {
        let code = """
            import json, sys
            from pip._internal.locations import get_scheme
            s = get_scheme(sys.argv[1], prefix=sys.argv[2])
            print(json.dumps(dict(purelib=s.purelib, platlib=s.platlib, scripts=s.scripts, data=s.data,
                                  headers=s.headers)))
            """
        let result = try Self.run(python, ["-c", code, name, prefix])
        try #require(result.status == 0, "pip's scheme: \(result.errorOutput)")
        return try JSONDecoder().decode(Scheme.self, from: Data(result.standardOutput))
    }

    /// Builds a wheel with Python's zipfile: `members` (name, content, mode) in order, a RECORD
    /// listing each (but `unlisted`) with the content's hash and `extraRecordRows`, then members
    /// in `tampered` given other content than RECORD says.
    func buildWheel(
        _ path: String, members: [(String, [UInt8], Int)], record: String, unlisted: Set<String> = [],
        tampered: [String: [UInt8]] = [:], extraRecordRows: [[String]] = []
    ) throws {
        let specification: [String: Any] = [
            "out": path, "record": record, "unlisted": Array(unlisted), "extra_rows": extraRecordRows,
            "members": members.map { [$0.0, Data($0.1).base64EncodedString(), $0.2] },
            "tampered": tampered.mapValues { Data($0).base64EncodedString() },
        ]
        let builder = """
            import base64, csv, hashlib, io, json, sys, zipfile
            spec = json.load(sys.stdin)
            def digest(data):
                return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            members = [(name, base64.b64decode(data), mode) for name, data, mode in spec["members"]]
            text = io.StringIO()
            writer = csv.writer(text)
            for name, data, mode in members:
                if name not in spec["unlisted"]:
                    writer.writerow([name, digest(data), len(data)])
            writer.writerows(spec["extra_rows"])
            writer.writerow([spec["record"], "", ""])
            members.append((spec["record"], text.getvalue().encode(), 0o644))
            with zipfile.ZipFile(spec["out"], "w") as archive:
                for name, data, mode in members:
                    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
                    info.external_attr = (0o100000 | mode) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    tampered = spec["tampered"].get(name)
                    archive.writestr(info, base64.b64decode(tampered) if tampered is not None else data)
            """
        let input = try JSONSerialization.data(withJSONObject: specification)
        let result = try Self.run(python, ["-c", builder], input: [UInt8](input))
        try #require(result.status == 0, "building \(path) failed: \(result.errorOutput)")
    }

    private static func run(_ python: String, _ arguments: [String], input: [UInt8] = []) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PIP_CONFIG_FILE"] = "/dev/null"
        environment["PYTHONNOUSERSITE"] = "1"
        environment["ENSUREPIP_OPTIONS"] = nil
        return try ProcessRunner.run(python, arguments, environment: environment, input: input)
    }
}

/// A test wheel, `Keel_Probe-1.0`, with every part an installer handles: root (purelib)
/// content with an executable member and a name needing CSV quoting, `.data` scripts (with
/// `#!python` and `#!pythonw` lines, one the archive leaves non-executable, a shell one),
/// data, headers, purelib and platlib, and console and GUI entry points including pip's
/// specially named ones.
enum ProbeWheel {
    static let fileName = "Keel_Probe-1.0-py3-none-any.whl"
    static let distInfo = "Keel_Probe-1.0.dist-info"
    static let data = "Keel_Probe-1.0.data"
    /// The `.data/scripts` member the archive does not mark executable.
    static let nonExecutableScript = "bin/plain-script"

    static var members: [(String, [UInt8], Int)] {
        [
            ("keel_probe/__init__.py", "def main():\n    return 0\n", 0o644),
            ("keel_probe/tool.sh", "#!/bin/sh\necho hi\n", 0o755),
            ("\(data)/scripts/plain-script", "#!python\nprint('plain')\n", 0o644),
            ("\(data)/scripts/exec-script", "#!pythonw -E\r\nprint('exec')\n", 0o755),
            ("\(data)/scripts/shell-script", "#!/bin/sh\necho shell\n", 0o755),
            ("\(data)/data/share/keel-probe/data.txt", "data\n", 0o644),
            ("\(data)/headers/probe.h", "#define PROBE 1\n", 0o644),
            ("\(data)/purelib/keel_probe_pure.py", "X = 1\n", 0o644),
            ("\(data)/platlib/keel_probe_plat.py", "Y = 2\n", 0o644),
            ("keel,probe \"odd\".txt", "comma\n", 0o644),
            ("\(distInfo)/METADATA", "Metadata-Version: 2.1\nName: Keel_Probe\nVersion: 1.0\n", 0o644),
            (
                "\(distInfo)/WHEEL", "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
                0o644
            ),
            (
                "\(distInfo)/entry_points.txt",
                """
                [console_scripts]
                keel-probe = keel_probe:main
                probe.sub = keel_probe.tool:main.run [extra]
                pip = keel_probe:main
                pip3 = keel_probe.other:ignored
                pip3.11 = keel_probe.other:ignored
                easy_install-3.9 = keel_probe.other:ignored
                easy_install = keel_probe.easy:main

                [gui_scripts]
                keel-probe-gui = keel_probe:main

                [other.group]
                not-a-script = keel_probe:main

                """, 0o644
            ),
        ].map { ($0.0, Array($0.1.utf8), $0.2) }
    }

    /// Builds the wheel (with `extra` members, `unlisted` left out of RECORD, `tampered`
    /// content) in `directory`; returns its path.
    static func build(
        in directory: String, with oracle: PipOracle, extra: [(String, [UInt8], Int)] = [],
        unlisted: Set<String> = [], tampered: [String: [UInt8]] = [:], fileName: String = fileName
    ) throws -> String {
        let path = "\(directory)/\(fileName)"
        try oracle.buildWheel(
            path, members: members + extra, record: "\(distInfo)/RECORD", unlisted: unlisted, tampered: tampered)
        return path
    }
}

/// A tree's regular files and directories, by path relative to its root.
struct InstalledTree: Equatable {
    struct File: Equatable {
        let mode: UInt32
        let content: [UInt8]
    }

    var files: [String: File] = [:]
    var directories: [String: UInt32] = [:]
    var symlinks: [String] = []

    init(_ root: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let status = try FileSystem.status(of: Array("\(root)/\(relative)".utf8))
            switch status.kind {
            case .directory: directories[relative] = status.permissions
            case .regular:
                let content = try FileSystem.readWholeFile("\(root)/\(relative)")
                files[relative] = File(mode: status.permissions, content: content)
            default: symlinks.append(relative)
            }
        }
    }
}

/// Compares an install by `WheelInstaller` with pip's of the same wheel, exactly, but for the
/// documented differences (checked precisely too).
enum PipComparison {
    /// The SHA-256 of `keel\n` in RECORD's encoding.
    static let keelInstallerHash = "sha256=f90gKfwOOkJJ1ZcopQY6L9nCHPkXDvo-yWjSsPXDsYQ"

    /// Compares the tree pip made under `pipPrefix` (laid out as `scheme` says) with the one
    /// `installed` describes under `keelPrefix`.
    static func compare(
        pip pipPrefix: String, scheme: PipOracle.Scheme, keel keelPrefix: String, installed: InstalledWheel,
        wheel: String, pythonVersion: String, headersName: String, nonExecutableScripts: Set<String> = []
    ) throws {
        let site = installed.sitePackages
        let distInfo = installed.distInfo
        #expect(site == "lib/python\(pythonVersion)/site-packages")
        #expect(scheme.purelib == scheme.platlib)
        let mapping = [
            (scheme.purelib, site), (scheme.scripts, "bin"),
            (scheme.headers, "include/python\(pythonVersion)/\(headersName)"),
            (scheme.data, ""),
        ]
        func relocate(_ absolute: String) -> String? {
            for (from, to) in mapping where absolute == from || absolute.hasPrefix(from + "/") {
                let rest = String(absolute.dropFirst(from.count)).drop { $0 == "/" }
                return to.isEmpty ? String(rest) : rest.isEmpty ? to : "\(to)/\(rest)"
            }
            return nil
        }
        let pipTree = try InstalledTree(pipPrefix)
        let keelTree = try InstalledTree(keelPrefix)
        #expect(pipTree.symlinks.isEmpty && keelTree.symlinks.isEmpty)
        var pipFiles: [String: InstalledTree.File] = [:]
        for (path, file) in pipTree.files {
            let relocated = try #require(relocate("\(pipPrefix)/\(path)"), "pip wrote \(path) outside its scheme")
            pipFiles[relocated] = file
        }
        // What pip writes that Keel does not, and what Keel writes differently.
        let requested = pipFiles.removeValue(forKey: "\(distInfo)/REQUESTED")
        #expect(requested == InstalledTree.File(mode: 0o644, content: []), "pip's REQUESTED of \(wheel)")
        let directURLFile = pipFiles.removeValue(forKey: "\(distInfo)/direct_url.json")
        let directURL = try #require(directURLFile, "pip's direct_url.json of \(wheel)")
        let directURLText = String(decoding: directURL.content, as: UTF8.self)
        #expect(directURLText.contains("file://") && directURLText.contains((wheel as NSString).lastPathComponent))
        #expect(pipFiles["\(distInfo)/INSTALLER"]?.content == Array("pip\n".utf8))
        pipFiles["\(distInfo)/INSTALLER"] = InstalledTree.File(mode: 0o644, content: Array("keel\n".utf8))
        for script in nonExecutableScripts {
            let file = try #require(pipFiles[script])
            #expect(file.mode == 0o644, "pip leaves \(script) of \(wheel) 0644")
            pipFiles[script] = InstalledTree.File(mode: 0o755, content: file.content)
        }
        let pipRecordFile = pipFiles.removeValue(forKey: "\(distInfo)/RECORD")
        let pipRecord = try #require(pipRecordFile)
        let keelRecord = try #require(keelTree.files["\(distInfo)/RECORD"])
        var keelFiles = keelTree.files
        keelFiles.removeValue(forKey: "\(distInfo)/RECORD")

        #expect(keelFiles.keys.sorted() == pipFiles.keys.sorted(), "files of \(wheel)")
        for (path, expected) in pipFiles {
            guard let actual = keelFiles[path] else { continue }
            let modes = "\(String(actual.mode, radix: 8)) vs pip's \(String(expected.mode, radix: 8))"
            #expect(actual.mode == expected.mode, "mode of \(path) from \(wheel): \(modes)")
            let shown = String(decoding: actual.content.prefix(400), as: UTF8.self)
            let pipShown = String(decoding: expected.content.prefix(400), as: UTF8.self)
            let sameContent = actual.content == expected.content
            #expect(sameContent, "content of \(path) from \(wheel):\n\(shown)\npip's:\n\(pipShown)")
        }
        #expect(keelRecord.mode == 0o644)
        #expect(
            installed.files
                == (Array(keelFiles.keys) + ["\(distInfo)/RECORD"]).sorted {
                    Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
                })
        for (path, mode) in keelTree.directories {
            #expect(mode == 0o755, "directory \(path) is \(String(mode, radix: 8))")
            #expect(keelTree.files.keys.contains { $0.hasPrefix(path + "/") }, "empty directory \(path)")
        }

        // RECORD: pip's lines, relocated to Keel's layout, less REQUESTED and direct_url.json,
        // with Keel's INSTALLER line; in pip's order where nothing was relocated.
        let pipSite = scheme.purelib
        let info = (distInfo as NSString).lastPathComponent
        var relocatedAny = false
        var expectedLines: [String] = []
        for line in try recordLines(pipRecord.content) {
            if line.hasPrefix("\(info)/REQUESTED,") || line.hasPrefix("\(info)/direct_url.json,") { continue }
            if line.hasPrefix("\(info)/INSTALLER,") {
                expectedLines.append("\(info)/INSTALLER,\(keelInstallerHash),5")
                continue
            }
            guard line.hasPrefix("../"), let comma = line.firstIndex(of: ",") else {
                expectedLines.append(line)
                continue
            }
            let absolute = (("\(pipSite)/\(line[..<comma])") as NSString).standardizingPath
            let key = try #require(relocate(absolute), "pip's RECORD names \(line)")
            let relative = relativePath(key, from: site)
            relocatedAny = relocatedAny || relative != String(line[..<comma])
            expectedLines.append(relative + line[comma...])
        }
        let keelLines = try recordLines(keelRecord.content)
        #expect(keelLines.sorted() == expectedLines.sorted(), "RECORD of \(wheel)")
        if !relocatedAny { #expect(keelLines == expectedLines, "RECORD order of \(wheel)") }
    }

    /// RECORD's lines, each ended by CR LF as Python's csv writes them.
    static func recordLines(_ content: [UInt8]) throws -> [String] {
        let text = String(decoding: content, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        var lines = text.components(separatedBy: "\r\n")
        #expect(lines.last == "")
        lines.removeLast()
        #expect(!lines.contains { $0.contains("\n") })
        return lines
    }

    private static func relativePath(_ path: String, from directory: String) -> String {
        var target = path.split(separator: "/").map(String.init)
        var base = directory.split(separator: "/").map(String.init)
        while let first = target.first, first == base.first, target.count > 1 {
            target.removeFirst()
            base.removeFirst()
        }
        return (Array(repeating: "..", count: base.count) + target).joined(separator: "/")
    }
}
