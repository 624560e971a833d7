import Foundation
import KeelTesting
import Testing

@testable import KeelSystem

/// `GitRevision.head` against what `git rev-parse HEAD` says, for the ways a repository keeps
/// its HEAD: a branch's loose ref, packed refs, a detached HEAD, a linked worktree, none at all.
@Suite(.ownThreads) struct GitRevisionTests {
    private let environment = [
        "GIT_AUTHOR_NAME": "keel", "GIT_AUTHOR_EMAIL": "keel@example.org", "GIT_COMMITTER_NAME": "keel",
        "GIT_COMMITTER_EMAIL": "keel@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
    ]

    @discardableResult
    private func git(_ arguments: [String], in directory: String) throws -> String {
        let result = try ProcessRunner.run(
            "git", ["-C", directory] + arguments, environment: environment)
        #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.errorOutput)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func repository(in temporary: TemporaryDirectory) throws -> String {
        let repository = temporary.appending("repo")
        try FileManager.default.createDirectory(
            atPath: repository + "/hosts/web", withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: repository)
        try Data("[host]\nname = \"web\"\n".utf8).write(to: URL(fileURLWithPath: repository + "/hosts/web/keel.toml"))
        try git(["add", "."], in: repository)
        try git(["commit", "-q", "-m", "first"], in: repository)
        return repository
    }

    @Test func branchHeadFromLooseAndPackedRefs() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let repository = try repository(in: temporary)
        let expected = try git(["rev-parse", "HEAD"], in: repository)
        #expect(GitRevision.head(of: repository + "/hosts/web") == expected)
        try git(["pack-refs", "--all", "--prune"], in: repository)
        #expect(!FileManager.default.fileExists(atPath: repository + "/.git/refs/heads/main"))
        #expect(GitRevision.head(of: repository + "/hosts/web") == expected)
    }

    @Test func detachedHeadAndWorktree() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let repository = try repository(in: temporary)
        let first = try git(["rev-parse", "HEAD"], in: repository)
        try git(["commit", "-q", "--allow-empty", "-m", "second"], in: repository)
        try git(["checkout", "-q", "--detach", first], in: repository)
        #expect(GitRevision.head(of: repository) == first)
        let worktree = temporary.appending("worktree")
        try git(["worktree", "add", "-q", "-b", "other", worktree, "main"], in: repository)
        let second = try git(["rev-parse", "HEAD"], in: worktree)
        #expect(second != first)
        #expect(GitRevision.head(of: worktree + "/hosts/web") == second)
    }

    @Test func noRepositoryOrNoCommit() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        #expect(GitRevision.head(of: temporary.path) == nil)
        let empty = temporary.appending("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try git(["init", "-q"], in: empty)
        #expect(GitRevision.head(of: empty) == nil)
    }
}
