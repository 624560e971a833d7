/// The first lines of the scripts an installer writes, for a given interpreter path.
struct ScriptShebang {
    /// The interpreter path written into scripts.
    let interpreter: String

    /// Linux's limit on a `#!` line, beyond which distlib uses the `/bin/sh` form.
    private static var maximumLength: Int { 127 }

    /// The shebang of an entry point launcher, as distlib writes it for pip: `#!INTERPRETER`
    /// when the path has no space and the line fits; otherwise a `/bin/sh` line that execs the
    /// (quoted) interpreter, followed by the `' '''` that makes the rest Python.
    var launcher: String {
        var executable = interpreter
        if executable.contains(" ") {
            let env = "/usr/bin/env "
            if executable.hasPrefix(env) {
                let program = executable.dropFirst(env.count)
                if program.contains(" "), !program.hasPrefix("\"") { executable = "\(env)\"\(program)\"" }
            } else if !executable.hasPrefix("\"") {
                executable = "\"\(executable)\""
            }
        }
        if !executable.contains(" "), executable.utf8.count + 3 <= Self.maximumLength {
            return "#!\(executable)\n"
        }
        return "#!/bin/sh\n'''exec' \(executable) \"$0\" \"$@\"\n' '''\n"
    }

    /// `content` with a first line starting `#!python` replaced by `#!INTERPRETER` (as pip does
    /// for a wheel's `.data/scripts`); nil when the first line does not start so.
    func rewritingPythonLine(of content: [UInt8]) -> [UInt8]? {
        guard content.starts(with: Array("#!python".utf8)) else { return nil }
        let restStart = content.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? content.count
        return Array("#!\(interpreter)\n".utf8) + content[restStart...]
    }
}
