/// Where one path will come from: a cache and its narinfo, signed by a trusted key.
struct PlannedPath: Sendable {
    let cache: BinaryCache
    let info: ValidatedNarInfo
}
