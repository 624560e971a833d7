import ArgumentParser

/// `keel test-agent stamp FILE`: what `--help` shows; the plain form runs from `KeelMain`
/// before the parser (`TestAgentStamp`).
struct TestAgentStampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stamp",
        abstract: "Append `start NS` and `exit NS` (CLOCK_MONOTONIC nanoseconds) to FILE, then exit 0.",
        discussion: """
            The benchmark's child: a restart's latency is a successor's `start` minus its \
            predecessor's `exit`. Each line is one O_APPEND write. The plain form \
            `keel test-agent stamp FILE` runs before the argument parser is set up.
            """)

    @Argument(help: ArgumentHelp("The file to append to (created 0644 if missing).", valueName: "file"))
    var file: String

    func run() throws {
        TestAgentStamp.run(file: file)
    }
}
