/// The plain forms of a few hot commands, read without the argument parser (whose reflection
/// costs a static binary milliseconds and megabytes): `--name VALUE`, `--name=VALUE` and bare
/// flags, each at most once. Anything else gives nil, and the argument parser takes over (it
/// also gives the help and the usage errors).
struct PlainCommandLine {
    /// The options given, by name (`--root`...).
    let values: [String: String]
    /// The flags given (`--json`...).
    let flags: Set<String>

    /// Reads `arguments` (after the verb) when each is one of `options` with a value or one of
    /// `flags`.
    init?(_ arguments: some Sequence<String>, options: Set<String>, flags allowedFlags: Set<String> = []) {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var rest = ArraySlice(arguments)
        while let argument = rest.popFirst() {
            if allowedFlags.contains(argument) {
                guard flags.insert(argument).inserted else { return nil }
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard options.contains(name), values[name] == nil else { return nil }
            guard let given = value ?? rest.popFirst(), !given.isEmpty, !given.hasPrefix("-") else { return nil }
            values[name] = given
        }
        self.values = values
        self.flags = flags
    }
}
