/// The arguments `keel copy` runs `ssh` with to start `keel store serve --stdio` on a host.
public enum SSHCommandLine {
    /// The arguments after `ssh`: the user's extra options (`KEEL_SSHOPTS`, split on spaces, as
    /// Nix splits `NIX_SSHOPTS`), no terminal, X11 or agent forwarding, the URL's port, the
    /// destination, then the far command, each word quoted for the far side's shell.
    public static func arguments(
        to destination: SSHDestination, extraOptions: String?, remoteCommand: [String]
    ) -> [String] {
        var arguments = (extraOptions ?? "").split(separator: " ").map(String.init)
        arguments += ["-T", "-x", "-a"]
        if let port = destination.port { arguments += ["-p", String(port)] }
        arguments += ["--", destination.sshTarget, remoteCommand.map(shellQuoted).joined(separator: " ")]
        return arguments
    }

    /// The far side's command: `KEEL store serve --stdio [--root ROOT] [--store-dir DIR]`.
    public static func serveCommand(keel: String, root: String?, storeDirectory: String?) -> [String] {
        var command = [keel, "store", "serve", "--stdio"]
        if let root { command += ["--root", root] }
        if let storeDirectory { command += ["--store-dir", storeDirectory] }
        return command
    }

    /// `word` as one word of a POSIX shell command line: unchanged when it holds only letters,
    /// digits and `-_./=:@+%,`, else in single quotes.
    public static func shellQuoted(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x61...0x7a).contains(byte | 0x20) || "-_./=:@+%,".utf8.contains(byte)
            }
        if plain { return word }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
