import Foundation
import KeelLinux
import KeelTesting
import Testing

@testable import KeelRuntime

@Suite("Wheel installer", .ownThreads)
struct WheelInstallerTests {
    /// How a test reaches the interpreter: as it is, or through a path that makes scripts need
    /// the `/bin/sh` launcher form (a space; a path too long for a `#!` line).
    enum InterpreterPath: String, CaseIterable {
        case direct, withSpace, tooLong
    }

    @Test("a wheel with every kind of content installs as pip installs it", arguments: InterpreterPath.allCases)
    func probeMatchesPip(_ interpreterPath: InterpreterPath) throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let host = try PipOracle.host()
        let oracle: PipOracle
        switch interpreterPath {
        case .direct: oracle = host
        case .withSpace: oracle = try host.through(temporary.appending("py thon/python3"))
        case .tooLong:
            oracle = try host.through(temporary.appending(String(repeating: "long-", count: 24) + "/python3"))
        }
        if interpreterPath == .tooLong { #expect(oracle.executable.utf8.count > 124) }
        let wheel = try ProbeWheel.build(in: temporary.path, with: host)
        let pipPrefix = temporary.appending("pip")
        let keelPrefix = temporary.appending("keel")
        try oracle.install(wheel, prefix: pipPrefix)
        let installed = try WheelInstaller(interpreter: oracle.executable, pythonVersion: oracle.version)
            .install(wheel: wheel, into: keelPrefix)

        #expect(
            installed.name == "Keel_Probe" && installed.normalizedName == "keel-probe" && installed.version == "1.0")
        let version = oracle.version
        #expect(
            installed.consoleScripts == [
                "easy_install", "easy_install-\(version)", "keel-probe", "keel-probe-gui", "pip",
                "pip\(version.prefix { $0 != "." })", "pip\(version)", "probe.sub",
            ])
        try PipComparison.compare(
            pip: pipPrefix, scheme: try oracle.scheme(name: "Keel-Probe", prefix: pipPrefix), keel: keelPrefix,
            installed: installed, wheel: wheel, pythonVersion: oracle.version, headersName: "Keel-Probe",
            nonExecutableScripts: [ProbeWheel.nonExecutableScript])
        let launcher = try FileSystem.readWholeFile("\(keelPrefix)/bin/keel-probe")
        let expectedStart = interpreterPath == .direct ? "#!\(oracle.executable)\n" : "#!/bin/sh\n'''exec' "
        #expect(launcher.starts(with: Array(expectedStart.utf8)))
    }

    @Test("launchers and scripts run with the interpreter written into them")
    func scriptsRun() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let wheel = try ProbeWheel.build(in: temporary.path, with: oracle)
        let prefix = temporary.appending("keel")
        _ = try WheelInstaller(interpreter: oracle.executable, pythonVersion: oracle.version)
            .install(wheel: wheel, into: prefix)
        let sitePackages = "\(prefix)/lib/python\(oracle.version)/site-packages"
        let launcher = try ProcessRunner.run("\(prefix)/bin/keel-probe", [], environment: ["PYTHONPATH": sitePackages])
        #expect(launcher.status == 0, "\(launcher.errorOutput)")
        let plain = try ProcessRunner.run("\(prefix)/bin/plain-script", [], environment: [:])
        #expect(plain.status == 0 && plain.output == "plain\n", "\(plain.errorOutput)")
        let missing = try ProcessRunner.run("\(prefix)/bin/keel-probe", [], environment: [:])
        #expect(missing.status != 0 && missing.errorOutput.contains("keel_probe"))
    }

    @Test("the same wheel gives the same bytes and modes")
    func deterministic() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let wheel = try ProbeWheel.build(in: temporary.path, with: oracle)
        let installer = WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11")
        let first = try installer.install(wheel: wheel, into: temporary.appending("one"))
        let second = try installer.install(wheel: wheel, into: temporary.appending("two/nested"))
        #expect(first == second)
        #expect(try InstalledTree(temporary.appending("one")) == InstalledTree(temporary.appending("two/nested")))
        let record = try FileSystem.readWholeFile(temporary.appending("one/\(first.distInfo)/RECORD"))
        #expect(String(decoding: record, as: UTF8.self).contains("../../../bin/keel-probe,sha256="))
    }

    @Test("a member whose content does not match RECORD is an error naming it, and nothing is left")
    func hashMismatch() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let tampered = try ProbeWheel.build(
            in: temporary.path, with: oracle,
            tampered: ["\(ProbeWheel.data)/platlib/keel_probe_plat.py": Array("Y = 3\n".utf8)])
        let prefix = temporary.appending("keel")
        let error = #expect(throws: RuntimeError.self) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11").install(
                wheel: tampered, into: prefix)
        }
        let message = error?.message ?? ""
        #expect(message.contains("Keel_Probe-1.0.data/platlib/keel_probe_plat.py"), "\(message)")
        #expect(message.contains("does not match its RECORD hash"), "\(message)")
        #expect(message.contains("sha256=fgiy80daOU4RpYfgcv5TTh0spXazu52sZ58TF_yND1A"), "\(message)")
        let left = try InstalledTree(prefix)
        #expect(left.files.isEmpty && left.directories.isEmpty)
    }

    @Test(
        "a member name escaping the prefix is refused",
        arguments: [
            "../evil.py", "/etc/evil.py", "Keel_Probe-1.0.data/data/../../../evil.py", "keel_probe/./x.py",
            "keel_probe//x.py",
        ])
    func escapingPath(_ name: String) throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let wheel = try ProbeWheel.build(in: temporary.path, with: oracle, extra: [(name, Array("x".utf8), 0o644)])
        let error = #expect(throws: RuntimeError.self) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11").install(
                wheel: wheel, into: temporary.appending("keel"))
        }
        #expect(error?.message.contains("member '\(name)'") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: temporary.appending("evil.py")))
    }

    @Test("malformed wheels are clear errors")
    func malformedWheels() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let installer = WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11")
        func failure(_ wheel: String) -> String {
            let error = #expect(throws: RuntimeError.self) {
                try installer.install(wheel: wheel, into: temporary.appending("keel"))
            }
            return error?.message ?? ""
        }
        var index = 0
        func build(
            extra: [(String, [UInt8], Int)] = [], unlisted: Set<String> = [], fileName: String = ProbeWheel.fileName
        ) throws -> String {
            index += 1
            let directory = temporary.appending("w\(index)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return try ProbeWheel.build(
                in: directory, with: oracle, extra: extra, unlisted: unlisted, fileName: fileName)
        }

        let unlisted = try build(extra: [("keel_probe/extra.py", [], 0o644)], unlisted: ["keel_probe/extra.py"])
        #expect(failure(unlisted).contains("member 'keel_probe/extra.py' is not listed in its RECORD"))

        let phantomWheel = temporary.appending("phantom/\(ProbeWheel.fileName)")
        try FileManager.default.createDirectory(
            atPath: temporary.appending("phantom"), withIntermediateDirectories: true)
        try oracle.buildWheel(
            phantomWheel, members: ProbeWheel.members, record: "\(ProbeWheel.distInfo)/RECORD",
            extraRecordRows: [["keel_probe/gone.py", "sha256=AAAA", "1"]])
        #expect(failure(phantomWheel).contains("its RECORD lists 'keel_probe/gone.py', which the wheel does not hold"))

        let unknownKey = try build(extra: [("Keel_Probe-1.0.data/lib/x.py", [], 0o644)])
        #expect(failure(unknownKey).contains("unknown scheme key 'lib'"))

        let repeated = try build(extra: [("Keel_Probe-1.0.dist-info/entry_points.txt", [], 0o644)])
        #expect(failure(repeated).contains("member 'Keel_Probe-1.0.dist-info/entry_points.txt' appears twice"))

        let otherProject = try build(fileName: "other-1.0-py3-none-any.whl")
        #expect(failure(otherProject).contains("is not for the project 'other'"))

        let garbage = temporary.appending("garbage-1.0-py3-none-any.whl")
        try TestFiles.write(garbage, Array("this is not a zip archive at all".utf8))
        #expect(failure(garbage).contains("wheel garbage-1.0-py3-none-any.whl: cannot read it as a zip archive"))

        let good = try build()
        let bytes = try FileSystem.readWholeFile(good)
        let truncated = temporary.appending("Keel_Probe-1.0-py3-none-any.whl")
        try TestFiles.write(truncated, Array(bytes.prefix(bytes.count / 2)))
        #expect(failure(truncated).contains("cannot read it as a zip archive"))

        let sdist = temporary.appending("keel_probe-1.0.tar.gz")
        try TestFiles.write(sdist, [])
        #expect(failure(sdist).contains("is a source distribution (.tar.gz), not a wheel"))

        #expect(
            failure(temporary.appending("missing-1.0-py3-none-any.whl")).contains("cannot read it as a zip archive"))
    }

    @Test("a member whose compressed data is damaged is an error naming it, and nothing is left")
    func damagedMember() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let wheel = try ProbeWheel.build(in: temporary.path, with: oracle)
        var bytes = try FileSystem.readWholeFile(wheel)
        // The first member's data follows its 30-byte local header, name and extra field.
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        #expect(bytes[30..<30 + nameLength].elementsEqual("keel_probe/__init__.py".utf8))
        bytes[30 + nameLength + extraLength + 3] ^= 0x55
        let damaged = temporary.appending("damaged/\(ProbeWheel.fileName)")
        try FileSystem.makeDirectories(temporary.appending("damaged"))
        try TestFiles.write(damaged, bytes)
        let prefix = temporary.appending("keel")
        let error = #expect(throws: RuntimeError.self) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11").install(
                wheel: damaged, into: prefix)
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("wheel \(ProbeWheel.fileName): member 'keel_probe/__init__.py'"), "\(message)")
        #expect(try InstalledTree(prefix).files.isEmpty)
    }

    @Test("a bad entry point is an error naming it")
    func badEntryPoint() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        var members = ProbeWheel.members
        let index = try #require(members.firstIndex { $0.0.hasSuffix("entry_points.txt") })
        members[index].1 = Array("[console_scripts]\nbroken = keel_probe\n".utf8)
        let wheel = temporary.appending(ProbeWheel.fileName)
        try oracle.buildWheel(wheel, members: members, record: "\(ProbeWheel.distInfo)/RECORD")
        let error = #expect(throws: RuntimeError.self) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11").install(
                wheel: wheel, into: temporary.appending("keel"))
        }
        #expect(error?.message.contains("entry point 'broken = keel_probe' has no ':ATTRIBUTE'") == true)
    }

    @Test("an existing file in the prefix is never overwritten, and what the install wrote is removed")
    func existingFile() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let wheel = try ProbeWheel.build(in: temporary.path, with: oracle)
        let prefix = temporary.appending("keel")
        try FileSystem.makeDirectories("\(prefix)/bin")
        try TestFiles.write("\(prefix)/bin/keel-probe", Array("mine\n".utf8))
        let error = #expect(throws: RuntimeError.self) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3.11").install(
                wheel: wheel, into: prefix)
        }
        #expect(error?.message.contains("cannot write 'bin/keel-probe'") == true, "\(error?.message ?? "")")
        let left = try InstalledTree(prefix)
        #expect(left.files.keys.sorted() == ["bin/keel-probe"])
        #expect(left.files["bin/keel-probe"]?.content == Array("mine\n".utf8))
        #expect(left.directories.keys.sorted() == ["bin"])
    }

    @Test("settings are checked")
    func settings() {
        #expect(throws: RuntimeError("Python version '3' is not MAJOR.MINOR (such as 3.11)")) {
            try WheelInstaller(interpreter: "/usr/bin/python3", pythonVersion: "3").install(wheel: "x", into: "y")
        }
        #expect(throws: RuntimeError("interpreter 'python3' must be an absolute path on one line")) {
            try WheelInstaller(interpreter: "python3", pythonVersion: "3.11").install(wheel: "x", into: "y")
        }
    }
}
