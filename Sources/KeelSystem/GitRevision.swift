import Foundation

/// The commit checked out in the git repository holding a directory, read from `.git` itself
/// (HEAD, loose refs, packed-refs; worktrees and `gitdir:` files followed), without running git.
public enum GitRevision {
    /// The 40-hex commit of HEAD for the repository containing `directory`, or nil when there is
    /// none or it cannot be read (an unborn branch, say).
    public static func head(of directory: String) -> String? {
        guard let gitDirectory = gitDirectory(containing: directory) else { return nil }
        guard var head = read(gitDirectory + "/HEAD") else { return nil }
        let common = read(gitDirectory + "/commondir").map { resolve($0, against: gitDirectory) } ?? gitDirectory
        for _ in 0..<8 {
            guard head.hasPrefix("ref: ") else { return isCommit(head) ? head : nil }
            let reference = String(head.dropFirst(5))
            guard !reference.contains(".."), reference.hasPrefix("refs/") || reference == "HEAD" else { return nil }
            if let loose = read(gitDirectory + "/" + reference) ?? read(common + "/" + reference) {
                head = loose
            } else {
                return packed(reference, in: common)
            }
        }
        return nil
    }

    /// The `.git` directory for `directory`: the nearest `.git` directory above it, or where a
    /// `.git` file's `gitdir:` line points.
    static func gitDirectory(containing directory: String) -> String? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            let candidate = current == "/" ? "/.git" : current + "/.git"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return candidate }
                if let line = read(candidate), line.hasPrefix("gitdir: ") {
                    return resolve(String(line.dropFirst(8)), against: current)
                }
                return nil
            }
            if current == "/" { return nil }
            current = URL(fileURLWithPath: current).deletingLastPathComponent().standardizedFileURL.path
        }
    }

    private static func packed(_ reference: String, in directory: String) -> String? {
        guard let text = try? String(contentsOfFile: directory + "/packed-refs", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let fields = line.split(separator: " ", maxSplits: 1)
            if fields.count == 2, fields[1] == reference, isCommit(String(fields[0])) { return String(fields[0]) }
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return line.trimmingCharacters(in: .whitespaces)
    }

    private static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory + "/" + path).standardizedFileURL.path
    }

    private static func isCommit(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
