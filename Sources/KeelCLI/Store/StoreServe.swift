import ArgumentParser
import Glibc
import KeelCache
import KeelLinux
import SystemPackage

/// `keel store serve --stdio`: the far side of `keel copy` over SSH, speaking the protocol of
/// docs/copy-protocol.md on stdin and stdout (messages go to stderr, which ssh passes back).
struct StoreServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the store to `keel copy` over stdin/stdout.", shouldDisplay: false)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Speak the keel copy protocol on stdin and stdout (the only transport).")
    var stdio = false

    func validate() throws {
        if !stdio { throw ValidationError("give --stdio: keel store serve speaks only on stdin and stdout") }
    }

    func run() throws {
        // A client that goes away must fail a write (EPIPE), not end this process mid-cleanup.
        SignalDisposition.ignore(SIGPIPE)
        let local = try store.open()
        let server = RemoteStoreServer(
            store: local, input: FileDescriptor(rawValue: STDIN_FILENO), output: FileDescriptor(rawValue: STDOUT_FILENO)
        )
        do throws(CacheError) { try server.serve() } catch { throw CLIError("store serve: \(error.message)") }
    }
}
