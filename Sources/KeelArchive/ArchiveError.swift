/// An archive that cannot be read or unpacked: what is wrong and where.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// A one-line explanation naming the archive member at fault where there is one.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }

    /// An error about one member: "member 'NAME': PROBLEM".
    static func member(_ name: [UInt8], _ problem: String) -> ArchiveError {
        ArchiveError("member \(quoted(name)): \(problem)")
    }

    /// A name for a one-line message: quoted, invalid UTF-8 replaced, control characters escaped.
    static func quoted(_ name: [UInt8]) -> String {
        var text = "'"
        for scalar in String(decoding: name, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                text += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text + "'"
    }
}
