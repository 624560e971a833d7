import Foundation
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// What `keel demo` prints on stdout: headings, commands as a user types them, their output
/// indented, and narration. Bold headings only when stdout is a terminal; each line is flushed
/// at once, so the demo reads live through a pipe too.
struct DemoOutput: Sendable {
    /// Whether stdout is a terminal (headings in bold).
    let styled: Bool

    /// An output for this process's stdout.
    init() { styled = isatty(STDOUT_FILENO) == 1 }

    /// A line as it is.
    func line(_ text: String = "") {
        print(text)
        StandardStreams.flushAll()
    }

    /// A heading, after a blank line.
    func heading(_ text: String) {
        line()
        line(styled ? "\u{1B}[1m== \(text)\u{1B}[0m" : "== \(text)")
    }

    /// A command as a user would type it.
    func command(_ arguments: [String]) {
        line("$ " + arguments.map(Self.shellWord).joined(separator: " "))
    }

    /// Each line of `text`, indented by two spaces (no trailing empty line).
    func indented(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for each in lines { line(each.isEmpty ? "" : "  " + each) }
    }

    /// `30 s`: a timeout in whole seconds.
    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }

    /// A word as a shell needs it: as it is when plain, else in single quotes.
    private static func shellWord(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
