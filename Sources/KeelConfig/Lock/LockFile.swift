/// keel.lock: the hashes of every input that is not content of the repository — fetched URLs,
/// host paths an agent may use, `.drv` files made by Nix. TOML, sorted and stable, so that a
/// change shows as a small diff.
///
/// ```toml
/// version = 1
///
/// [fetch.NAME]
/// url = "https://…"
/// hash = "sha256-…"        # the downloaded file
/// nar_hash = "sha256-…"    # the unpacked tree (unpack = true only)
///
/// [drv.NAME]
/// path = "./x.drv"
/// hash = "sha256-…"
///
/// [host_path."/etc/ssl/certs"]
/// nar_hash = "sha256-…"
///
/// [runtime.NAME]            # see RuntimeLock
/// ```
public struct LockFile: Sendable, Equatable {
    /// The format version this code writes and reads.
    public static let version = 1

    /// A locked fetch.
    public struct Fetch: Sendable, Equatable {
        /// The URL the hash was taken from.
        public var url: String
        /// The downloaded file's SHA-256 (SRI).
        public var hash: String
        /// The unpacked tree's NAR SHA-256 (SRI), for `unpack = true`.
        public var narHash: String?

        /// A locked fetch.
        public init(url: String, hash: String, narHash: String?) {
            self.url = url
            self.hash = hash
            self.narHash = narHash
        }
    }

    /// A locked `.drv` file.
    public struct DerivationFile: Sendable, Equatable {
        /// The file as keel.toml names it.
        public var path: String
        /// The file's SHA-256 (SRI).
        public var hash: String

        /// A locked `.drv` file.
        public init(path: String, hash: String) {
            self.path = path
            self.hash = hash
        }
    }

    /// Fetches by package name.
    public var fetches: [String: Fetch] = [:]
    /// `.drv` files by package name.
    public var derivations: [String: DerivationFile] = [:]
    /// Host paths' NAR SHA-256 (SRI) by absolute path.
    public var hostPaths: [String: String] = [:]
    /// Runtime packages' pins by package name.
    public var runtimes: [String: RuntimeLock] = [:]

    /// An empty lock.
    public init() {}

    /// The file's text: a header comment, then every entry sorted by name.
    public func rendered() -> String {
        var lines = [
            "# keel.lock: written by `keel lock` and `keel switch --update-lock`. Commit it with keel.toml.",
            "version = \(Self.version)",
        ]
        for name in fetches.keys.sorted() {
            guard let fetch = fetches[name] else { continue }
            lines += ["", "[fetch.\(TOMLKeySpelling.spell(name))]", "url = \(TOMLKeySpelling.quoted(fetch.url))"]
            lines.append("hash = \(TOMLKeySpelling.quoted(fetch.hash))")
            if let narHash = fetch.narHash { lines.append("nar_hash = \(TOMLKeySpelling.quoted(narHash))") }
        }
        for name in derivations.keys.sorted() {
            guard let file = derivations[name] else { continue }
            lines += [
                "", "[drv.\(TOMLKeySpelling.spell(name))]", "path = \(TOMLKeySpelling.quoted(file.path))",
                "hash = \(TOMLKeySpelling.quoted(file.hash))",
            ]
        }
        for path in hostPaths.keys.sorted() {
            guard let hash = hostPaths[path] else { continue }
            lines += ["", "[host_path.\(TOMLKeySpelling.spell(path))]", "nar_hash = \(TOMLKeySpelling.quoted(hash))"]
        }
        for name in runtimes.keys.sorted() {
            guard let runtime = runtimes[name] else { continue }
            lines += runtime.renderedLines(name: name)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads keel.lock's bytes, named `file` in messages.
    ///
    /// - Throws: `ConfigErrors` listing every problem.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigErrors) -> LockFile {
        let (root, index) = try ConfigLoader.document(bytes, file: file)
        let log = ProblemLog(index: index, bytes: bytes)
        var lock = LockFile()
        guard let top = TableReader(root, at: [], log: log) else {
            throw ConfigErrors(file: file, problems: log.problems)
        }
        top.rejectUnknownKeys(["version", "fetch", "drv", "host_path", "runtime"], context: "keel.lock")
        if let version = top.integer("version", in: 0...Int64(Int32.max)), version != Self.version {
            log.add(
                "keel.lock version \(version) is not one this keel reads (\(Self.version)); upgrade keel or run keel lock",
                at: top.path("version"))
        }
        for (name, table) in entries(top, "fetch") {
            table.rejectUnknownKeys(["url", "hash", "nar_hash"], context: "fetch '\(name)'")
            let url = required(table, "url")
            let hash = requiredHash(table, "hash")
            let narHash = table.has("nar_hash") ? requiredHash(table, "nar_hash") : nil
            if let url, let hash { lock.fetches[name] = Fetch(url: url, hash: hash, narHash: narHash) }
        }
        for (name, table) in entries(top, "drv") {
            table.rejectUnknownKeys(["path", "hash"], context: "drv '\(name)'")
            let path = required(table, "path")
            let hash = requiredHash(table, "hash")
            if let path, let hash { lock.derivations[name] = DerivationFile(path: path, hash: hash) }
        }
        for (path, table) in entries(top, "host_path") {
            table.rejectUnknownKeys(["nar_hash"], context: "host_path '\(path)'")
            if let hash = requiredHash(table, "nar_hash") { lock.hostPaths[path] = hash }
        }
        for (name, table) in entries(top, "runtime") {
            if let runtime = RuntimeLock.parse(table, name: name) { lock.runtimes[name] = runtime }
        }
        guard log.isEmpty else { throw ConfigErrors(file: file, problems: log.problems) }
        return lock
    }

    private static func entries(_ top: TableReader, _ key: String) -> [(String, TableReader)] {
        guard let table = top.table(key) else { return [] }
        return table.entries.compactMap { name, node in
            TableReader(node, at: table.path(name), log: top.log).map { (name, $0) }
        }
    }

    private static func required(_ table: TableReader, _ key: String) -> String? {
        if !table.has(key) { table.log.add("'\(renderKeyPath(table.path))' has no '\(key)'", at: table.path) }
        return table.string(key)?.value
    }

    private static func requiredHash(_ table: TableReader, _ key: String) -> String? {
        guard let text = table.has(key) ? table.string(key) : nil else {
            _ = required(table, key)
            return nil
        }
        do { return try PackageDecoder.normalisedHash(text.value) } catch {
            table.log.add(error.description, at: text.position)
            return nil
        }
    }
}
