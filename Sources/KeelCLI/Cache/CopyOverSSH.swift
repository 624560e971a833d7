/// `keel copy --to ssh://…` and `--from ssh://…` (being written).
enum CopyOverSSH {
    static func push(_ command: CopyCommand, to url: String) throws {
        throw CLIError("keel copy --to \(url): not built yet")
    }

    static func pull(_ command: CopyCommand, from url: String) throws {
        throw CLIError("keel copy --from \(url): not built yet")
    }
}
