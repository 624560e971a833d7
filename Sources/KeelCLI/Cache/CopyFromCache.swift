/// `keel copy --from file://…|http(s)://…` (being written).
enum CopyFromCache {
    static func run(_ command: CopyCommand, from url: String) throws {
        throw CLIError("keel copy --from \(url): not built yet")
    }
}
