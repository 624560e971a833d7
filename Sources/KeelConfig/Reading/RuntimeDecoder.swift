import Foundation

/// Reads the runtime kinds of `[packages.NAME]`: `debian = [...]`, and `python = "PKG"` with
/// `wheels` or `requirements`.
enum RuntimeDecoder {
    /// `debian = ["NAME", "NAME=VERSION", …]`.
    static func debian(_ table: TableReader) -> DebianRuntimeSpec? {
        guard let requests = table.strings("debian") else { return nil }
        if requests.isEmpty {
            table.log.add(
                "'debian' lists no package: name at least one, e.g. \"python3.11-minimal\"",
                atKeyOf: table.path("debian"))
            return nil
        }
        var seen: Set<String> = []
        for request in requests {
            if let problem = debianRequestProblem(request.value) {
                table.log.add(problem, at: request.position)
                continue
            }
            let name = String(request.value.split(separator: "=", maxSplits: 1)[0])
            if !seen.insert(name).inserted {
                table.log.add("Debian package '\(name)' is listed twice", at: request.position)
            }
        }
        return DebianRuntimeSpec(requests: requests, leaveOut: leaveOut(table))
    }

    /// `leave_out = ["/usr/lib/x86_64-linux-gnu/gconv", …]`: each path valid and named once.
    private static func leaveOut(_ table: TableReader) -> [ConfigString] {
        guard let paths = table.strings("leave_out") else { return [] }
        var seen: Set<String> = []
        var valid: [ConfigString] = []
        for path in paths {
            if let problem = leaveOutProblem(path.value) {
                table.log.add(problem, at: path.position)
            } else if !seen.insert(path.value).inserted {
                table.log.add("'\(path.value)' is listed twice in leave_out", at: path.position)
            } else {
                valid.append(path)
            }
        }
        return valid
    }

    /// What is wrong with one `leave_out` path, if anything: it must be absolute and plain (no
    /// empty, `.` or `..` components), and not the whole root or one of its top directories.
    static func leaveOutProblem(_ path: String) -> String? {
        let example = "e.g. \"/usr/lib/x86_64-linux-gnu/gconv\""
        guard path.hasPrefix("/") else {
            return "leave_out path '\(path)' is not absolute: name it as the runtime's view has it, \(example)"
        }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) || path.utf8.contains(0) {
            return "leave_out path '\(path)' is not plain: no empty, '.' or '..' components and no trailing '/', "
                + example
        }
        if components.count < 2 {
            return "leave_out path '\(path)' would leave out a whole top directory: name something inside it, "
                + example
        }
        return nil
    }

    /// What is wrong with a `NAME` or `NAME=VERSION` request, if anything.
    static func debianRequestProblem(_ request: String) -> String? {
        let parts = request.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0]
        let nameIsValid =
            name.utf8.count >= 2
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"),
                    UInt8(ascii: "-"), UInt8(ascii: "."):
                    true
                default: false
                }
            } && name.utf8.first.map { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: ".") } == true
        guard nameIsValid else {
            return "invalid Debian package name '\(name)': lower-case letters, digits, '+', '-' and '.' (write "
                + "NAME or NAME=VERSION)"
        }
        guard parts.count == 2 else { return nil }
        let version = parts[1]
        let versionIsValid =
            !version.isEmpty
            && version.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                    UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "*"):
                    true
                default: false
                }
            }
        guard versionIsValid else {
            return "invalid version '\(version)' for Debian package '\(name)': write NAME=VERSION, where VERSION may "
                + "end in '*' (e.g. libssl3=3.0.*)"
        }
        return nil
    }

    /// `python = "PKG"` with `wheels = [...]` or `requirements = "FILE"`.
    static func python(_ table: TableReader, directory: String) -> PythonRuntimeSpec? {
        guard let interpreter = table.string("python") else { return nil }
        let log = table.log
        let hasWheels = table.has("wheels")
        let hasFile = table.has("requirements")
        if hasWheels == hasFile {
            log.add(
                hasWheels
                    ? "give either 'wheels' or 'requirements', not both"
                    : "a Python runtime needs 'wheels = [\"NAME==VERSION\", …]' or 'requirements = \"./requirements.txt\"'",
                atKeyOf: table.path(hasWheels ? "requirements" : "python"))
            return nil
        }
        if hasWheels {
            guard let wheels = table.strings("wheels") else { return nil }
            var valid = true
            for wheel in wheels {
                if let problem = requirementProblem(wheel.value) {
                    log.add(problem, at: wheel.position)
                    valid = false
                }
            }
            return valid ? PythonRuntimeSpec(interpreter: interpreter, requirements: .wheels(wheels)) : nil
        }
        guard let file = table.string("requirements") else { return nil }
        let resolved = PackageDecoder.resolve(file.value, against: directory)
        guard let data = FileManager.default.contents(atPath: resolved) else {
            log.add(
                "requirements file '\(file.value)' does not exist or cannot be read (looked for '\(resolved)')",
                at: file.position)
            return nil
        }
        var lines: [String] = []
        for (number, line) in requirementLines(String(decoding: data, as: UTF8.self)) {
            if let problem = requirementProblem(line) {
                log.add("\(file.value), line \(number): \(problem)", at: file.position)
                continue
            }
            lines.append(line)
        }
        if lines.isEmpty {
            log.add("requirements file '\(file.value)' names no package", at: file.position)
            return nil
        }
        return PythonRuntimeSpec(
            interpreter: interpreter, requirements: .file(path: file, resolvedPath: resolved, lines: lines))
    }

    /// A requirements file's requirements with their line numbers: comments, blank lines and
    /// backslash continuations handled as pip reads them.
    static func requirementLines(_ text: String) -> [(line: Int, text: String)] {
        var result: [(line: Int, text: String)] = []
        var pending = ""
        var pendingStart = 0
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { pendingStart = offset + 1 }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast())
                continue
            }
            var whole = pending + line
            pending = ""
            // A comment starts at '#' at the line's start or after whitespace.
            if let hash = whole.range(of: " #") ?? (whole.hasPrefix("#") ? whole.range(of: "#") : nil) {
                whole = String(whole[..<hash.lowerBound])
            }
            let trimmed = whole.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { result.append((pendingStart, trimmed)) }
        }
        return result
    }

    /// What is wrong with one requirement line, if anything: Keel pins index packages by
    /// name (with an optional version specifier and markers), not options, URLs or paths.
    static func requirementProblem(_ requirement: String) -> String? {
        let text = requirement.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("-") {
            return "'\(text)': pip options are not taken from Keel's requirements (configure indexes in "
                + "pip.conf or PIP_* variables); list packages only"
        }
        if text.contains("://") || text.contains(" @ ") || text.hasPrefix("/") || text.hasPrefix(".") {
            return "'\(text)': URLs and paths are not index packages; Keel installs wheels from the index"
        }
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else {
            return "'\(text)' is not a requirement: write NAME or NAME==VERSION (e.g. numpy==2.1.3)"
        }
        if text.contains(" --") {
            return "'\(text)': per-requirement options (such as --hash) are not taken; keel.lock pins each wheel's hash"
        }
        return nil
    }
}
