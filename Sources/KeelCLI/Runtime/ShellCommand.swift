import ArgumentParser
import Foundation

/// `keel shell PACKAGE`: an interactive shell in a runtime's view.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open a shell in a runtime package's file-system view.",
        discussion: """
            Builds the package as keel.lock pins it and starts bash (or sh) from the runtime — \
            list bash or dash in its debian packages — in the view its agents get, in the \
            current directory. Exit status: the shell's.
            """
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var store: StoreOptions

    @Argument(help: "The runtime package.")
    var package: String

    func run() throws {
        let launch = RuntimeLaunch(config: config, store: store, package: package)
        let (environment, hold, _) = try launch.environment()
        let shell = ["bash", "sh", "dash"].first { name in
            RuntimeLaunch.searchPath.contains {
                FileManager.default.isExecutableFile(atPath: environment + $0 + "/" + name)
            }
        }
        guard let shell else {
            throw CLIError("runtime '\(package)' has no shell: add bash or dash to its debian packages")
        }
        withExtendedLifetime(hold) {}
        try launch.run([shell])
    }
}
