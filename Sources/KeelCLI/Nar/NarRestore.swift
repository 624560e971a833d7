import ArgumentParser
import KeelFileTree
import KeelFormats
import SystemPackage

/// `keel nar restore DEST`: creates the tree a NAR on stdin describes.
struct NarRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Read a NAR from stdin and create DEST from it (what `nix-store --restore` does).",
        discussion: """
            The NAR is checked strictly as it is read: a wrong magic string, unknown or \
            misplaced tokens, unsorted or duplicate entries, names that are empty, '.', '..' or \
            hold '/' or NUL, over-long names or targets, truncation and trailing bytes are \
            refused with the byte offset. The tree is built under a temporary name and renamed \
            to DEST only when the whole NAR is valid, so DEST is never left half-made; DEST must \
            not exist, and must name a new entry (not be empty or end in '/', '/.' or '/..'). \
            Symlinks are created as links and never followed.
            """
    )

    @Argument(help: "Where to create the tree; must not exist.")
    var destination: String

    func run() throws {
        try Self.checkDestination(destination)
        var restorer: TreeRestorer
        do {
            restorer = try TreeRestorer(destination: destination)
        } catch let error as FileTreeError {
            throw CLIError(error.description)
        }
        var reader = ByteReader(source: FileDescriptorSource(fd: .standardInput), bufferSize: 1 << 20)
        do {
            try NARReader.parseWhole(&reader, visitor: &restorer)
            try restorer.commit()
        } catch let error as NARReadError {
            restorer.abandon()
            throw CLIError(error.description)
        } catch let error as FileTreeError {
            restorer.abandon()
            throw CLIError(error.description)
        } catch {
            restorer.abandon()
            throw error
        }
    }

    /// Refuses a destination that cannot name a new entry, saying what is wrong with it (as
    /// `nix-store --restore` refuses it, which only reports the system error).
    static func checkDestination(_ destination: String) throws {
        let problem: String
        if destination.isEmpty {
            problem = "the destination is empty; name the path to create"
        } else if destination.hasSuffix("/") {
            problem = "it ends in '/', so it names a directory rather than a new entry"
        } else if let last = destination.split(separator: "/").last, last == "." || last == ".." {
            problem = "it ends in '\(last)', which names an existing directory rather than a new entry"
        } else {
            return
        }
        throw CLIError("cannot restore to '\(destination)': \(problem)")
    }
}
