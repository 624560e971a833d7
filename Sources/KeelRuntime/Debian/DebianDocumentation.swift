/// What Keel leaves out when it unpacks a .deb for a runtime, as Debian's own slim container
/// images do (their dpkg `path-exclude` rules): manual pages, info pages, translations of
/// programs' messages, lintian and linda overrides, groff's files, and everything under
/// `/usr/share/doc` except each package's `copyright` (licences stay with what they cover).
/// Nothing a program runs from is there: a Python runtime loses about a fifth of its size.
public enum DebianDocumentation {
    /// The rule, written into each unpacked package's derivation so that its store path says
    /// what it holds.
    public static let rule =
        "slim-1: usr/share/{man,info,locale,lintian,linda,groff}/*, usr/share/doc/*/* but copyright"

    /// Whether the member at `components` (`usr`, `share`, `doc`, …, as the data archive names
    /// it, before /usr is merged) is left out.
    public static func isLeftOut(_ components: [[UInt8]]) -> Bool {
        let names = components.map { String(decoding: $0, as: UTF8.self) }
        guard names.count >= 4, names[0] == "usr", names[1] == "share" else { return false }
        switch names[2] {
        case "man", "info", "locale", "lintian", "linda", "groff":
            return true
        case "doc":
            // usr/share/doc/PACKAGE itself stays (its copyright goes in it, or it is a link to
            // another package's directory); what is in it goes, but the copyright.
            return names.count >= 5 && !(names.count == 5 && names[4] == "copyright")
        default:
            return false
        }
    }
}
