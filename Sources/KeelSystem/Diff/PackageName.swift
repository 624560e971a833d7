/// A store path name split as Nix splits a derivation name (`DrvName`): the version starts at
/// the first '-' followed by a character that is not a letter; "hello-2.12.1" is "hello" at
/// "2.12.1", "sample-agent" has no version.
public struct PackageName: Sendable, Equatable {
    /// The name without the version.
    public let name: String
    /// The version, empty when there is none.
    public let version: String

    /// Splits `fullName`.
    public init(_ fullName: String) {
        let scalars = Array(fullName.unicodeScalars)
        var split: Int?
        for index in scalars.indices where scalars[index] == "-" && index + 1 < scalars.count {
            let next = scalars[index + 1]
            if !(("a"..."z").contains(next) || ("A"..."Z").contains(next)) {
                split = index
                break
            }
        }
        if let split {
            name = String(String.UnicodeScalarView(scalars[..<split]))
            version = String(String.UnicodeScalarView(scalars[(split + 1)...]))
        } else {
            name = fullName
            version = ""
        }
    }
}
