import ArgumentParser
import KeelAPI

/// `--root`, shared by the commands that talk to the daemon or read its files.
struct DaemonRootOptions: ParsableArguments {
    @Option(help: "The state root (default: /var/lib/keel as root, else $XDG_STATE_HOME/keel).")
    var root: String?

    /// The daemon's paths under the resolved root.
    var paths: DaemonPaths { DaemonPaths(root: StateRoot.resolve(root)) }
}
