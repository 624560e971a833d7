/// Store path names for runtime files: Debian versions and wheel names may hold characters a
/// store path name cannot (`:` of an epoch, `~`), mapped to ones Debian versions never use.
public enum RuntimeStoreName {
    /// `text` with `:` as `_`, `~` as `=` and anything else a store name refuses as `_`, at most
    /// 200 characters, not starting with `.`.
    public static func sanitised(_ text: String) -> String {
        var result = String(
            text.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "+", "-", ".", "_", "?", "=": Character(scalar)
                case "~": "="
                default: "_"
                }
            })
        if result.hasPrefix(".") { result = "_" + result.dropFirst() }
        return String(result.prefix(200))
    }
}
