/// Downloading a URL outside a build, as `keel lock` does to learn a fetch's hash: the same
/// schemes and behaviour as `builtin:fetchurl` (file, http and https; redirects followed; a
/// status other than 2xx refused).
public enum URLDownload {
    /// Writes the body of `url` to the new file `path`.
    ///
    /// - Throws: `BuildError` (`.failed`) naming the URL and the reason.
    public static func fetch(_ url: String, to path: String) throws(BuildError) {
        do { try BuiltinFetchURL.fetch(attributes: ["url": url], into: path) } catch {
            throw BuildError(
                .failed, (error as? BuiltinFetchURL.Failure)?.description ?? "cannot download '\(url)': \(error)")
        }
    }
}
