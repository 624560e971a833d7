/// One runtime package's pins in keel.lock: what was asked for (so an unchanged request is not
/// resolved again) and every .deb and wheel by name, version and SHA-256. Each file is a
/// fixed-output store path, each unpacked tree and the environment over them are derivations
/// over those, so every store path is known from the lock before anything is fetched.
///
/// ```toml
/// [runtime.py]
/// debian = ["python3.11-minimal"]
/// debs = [
///   { name = "libc6", version = "2.36-9+deb12u10", arch = "amd64", sha256 = "…" },
/// ]
///
/// [runtime.ml]
/// python = "py"
/// requirements = ["numpy==2.1.3"]
/// wheels = [
///   { name = "numpy", version = "2.1.3", file = "numpy-2.1.3-….whl", sha256 = "…" },
/// ]
/// ```
public struct RuntimeLock: Sendable, Equatable {
    /// A pinned .deb.
    public struct Deb: Sendable, Equatable {
        /// The package name.
        public var name: String
        /// Its version, as the archive has it.
        public var version: String
        /// Its architecture (`amd64`, `all`).
        public var architecture: String
        /// The .deb's SHA-256, hex.
        public var sha256: String

        /// A pinned .deb.
        public init(name: String, version: String, architecture: String, sha256: String) {
            self.name = name
            self.version = version
            self.architecture = architecture
            self.sha256 = sha256
        }
    }

    /// A pinned wheel.
    public struct Wheel: Sendable, Equatable {
        /// The normalised project name.
        public var name: String
        /// Its version.
        public var version: String
        /// The wheel's file name (its tags included).
        public var file: String
        /// The wheel's SHA-256, hex.
        public var sha256: String

        /// A pinned wheel.
        public init(name: String, version: String, file: String, sha256: String) {
            self.name = name
            self.version = version
            self.file = file
            self.sha256 = sha256
        }
    }

    /// The Debian requests as keel.toml gave them (a Debian runtime).
    public var debian: [String]?
    /// The interpreter package (a Python runtime).
    public var python: String?
    /// The requirement lines resolved (a Python runtime).
    public var requirements: [String]?
    /// The .debs (a Debian runtime).
    public var debs: [Deb]
    /// The wheels (a Python runtime).
    public var wheels: [Wheel]

    /// A runtime's pins.
    public init(
        debian: [String]? = nil, python: String? = nil, requirements: [String]? = nil, debs: [Deb] = [],
        wheels: [Wheel] = []
    ) {
        self.debian = debian
        self.python = python
        self.requirements = requirements
        self.debs = debs
        self.wheels = wheels
    }

    /// The `[runtime.NAME]` table's lines.
    func renderedLines(name: String) -> [String] {
        var lines = ["", "[runtime.\(TOMLKeySpelling.spell(name))]"]
        let list = { (items: [String]) in "[" + items.map(TOMLKeySpelling.quoted).joined(separator: ", ") + "]" }
        if let debian { lines.append("debian = \(list(debian))") }
        if let python { lines.append("python = \(TOMLKeySpelling.quoted(python))") }
        if let requirements { lines.append("requirements = \(list(requirements))") }
        let field = { (key: String, value: String) in "\(key) = \(TOMLKeySpelling.quoted(value))" }
        if !debs.isEmpty {
            lines.append("debs = [")
            let sortedDebs = debs.sorted {
                ($0.name, $0.architecture, $0.version) < ($1.name, $1.architecture, $1.version)
            }
            for deb in sortedDebs {
                let fields = [
                    field("name", deb.name), field("version", deb.version), field("arch", deb.architecture),
                    field("sha256", deb.sha256),
                ]
                lines.append("  { " + fields.joined(separator: ", ") + " },")
            }
            lines.append("]")
        }
        if !wheels.isEmpty {
            lines.append("wheels = [")
            for wheel in wheels.sorted(by: { ($0.name, $0.file) < ($1.name, $1.file) }) {
                let fields = [
                    field("name", wheel.name), field("version", wheel.version), field("file", wheel.file),
                    field("sha256", wheel.sha256),
                ]
                lines.append("  { " + fields.joined(separator: ", ") + " },")
            }
            lines.append("]")
        }
        return lines
    }

    /// Reads one `[runtime.NAME]` table; problems go to the table's log.
    static func parse(_ table: TableReader, name: String) -> RuntimeLock? {
        let log = table.log
        table.rejectUnknownKeys(
            ["debian", "python", "requirements", "debs", "wheels"], context: "runtime '\(name)'")
        var debs: [Deb] = []
        for entry in inlineTables(table, "debs") {
            entry.rejectUnknownKeys(["name", "version", "arch", "sha256"], context: "a .deb of '\(name)'")
            guard let debName = text(entry, "name"), let version = text(entry, "version"),
                let architecture = text(entry, "arch"), let sha256 = hex(entry, "sha256")
            else { continue }
            debs.append(Deb(name: debName, version: version, architecture: architecture, sha256: sha256))
        }
        var wheels: [Wheel] = []
        for entry in inlineTables(table, "wheels") {
            entry.rejectUnknownKeys(["name", "version", "file", "sha256"], context: "a wheel of '\(name)'")
            guard let wheelName = text(entry, "name"), let version = text(entry, "version"),
                let file = text(entry, "file"), let sha256 = hex(entry, "sha256")
            else { continue }
            wheels.append(Wheel(name: wheelName, version: version, file: file, sha256: sha256))
        }
        let debian = table.strings("debian")?.map(\.value)
        let python = table.string("python")?.value
        let requirements = table.strings("requirements")?.map(\.value)
        if (debian == nil) == (python == nil) {
            log.add("runtime '\(name)' needs exactly one of 'debian' and 'python'", at: table.path)
            return nil
        }
        return RuntimeLock(debian: debian, python: python, requirements: requirements, debs: debs, wheels: wheels)
    }

    private static func inlineTables(_ table: TableReader, _ key: String) -> [TableReader] {
        guard let node = table.value(key) else { return [] }
        guard case .array(let items) = node else {
            table.wrongType(key, expected: "an array of tables", got: node)
            return []
        }
        return items.indices.compactMap { index in
            TableReader(items[index], at: table.path(key) + [.index(index)], log: table.log)
        }
    }

    private static func text(_ table: TableReader, _ key: String) -> String? {
        guard table.has(key) else {
            table.log.add("'\(renderKeyPath(table.path))' has no '\(key)'", at: table.path)
            return nil
        }
        return table.string(key)?.value
    }

    private static func hex(_ table: TableReader, _ key: String) -> String? {
        guard let value = text(table, key) else { return nil }
        let isHex =
            value.utf8.count == 64 && value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        if !isHex {
            table.log.add(
                "'\(key)' must be 64 lower-case hex digits (a SHA-256), not \"\(value)\"", at: table.position(key))
            return nil
        }
        return value
    }
}
