import ArgumentParser
import Foundation
import KeelBuild
import KeelFormats
import KeelLinux
import KeelStore

/// `keel log PATH`: the build log of a derivation.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print the log of a derivation's last build.",
        discussion: """
            PATH is a .drv store path, or an output path, whose deriver's log is printed. Logs \
            are kept under ROOT/logs/, one per derivation, replaced by each build of it \
            (--check rebuilds included). Exit status 1 when there is no log.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "A .drv store path or an output path.")
    var path: String

    func run() throws {
        let local = try store.open()
        let named = try storeOperation { try local.storePath(path) }
        var derivation = named
        if !named.name.hasSuffix(".drv") {
            guard let info = try? local.info(named), let deriver = info.deriver else {
                throw CLIError("'\(path)' is not a derivation, nor an output whose deriver is known")
            }
            derivation = deriver
        }
        let file = BuildLogs.path(stateRoot: local.layout.root, derivation: derivation)
        let data: [UInt8]
        do { data = try FileSystem.readWholeFile(file) } catch let error where error.errno == ENOENT {
            throw CLIError("no build log for '\(local.fullPath(derivation))'")
        } catch {
            throw CLIError(UserFile.message(file, error))
        }
        FileHandle.standardOutput.write(Data(data))
    }
}
