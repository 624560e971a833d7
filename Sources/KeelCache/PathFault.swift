/// Why one path (a wanted one, or one of a closure) cannot be substituted.
struct PathFault: Sendable {
    let code: CacheError.Code
    let reason: String
}
