import ArgumentParser
import KeelFormats

/// `keel narinfo fingerprint FILE`: the text a narinfo's signatures sign.
struct NarinfoFingerprint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Print the fingerprint a narinfo's signatures sign.",
        discussion: "The form is 1;PATH;sha256:NARHASH;NARSIZE;REFERENCES (full paths, sorted, comma-separated)."
    )

    @Argument(help: "The .narinfo file.")
    var file: String

    func run() throws {
        print(try TextFile.narinfo(file).fingerprint())
    }
}
