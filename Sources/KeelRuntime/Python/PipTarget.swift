/// The interpreter and platform wheels are chosen for: a CPython version and a manylinux
/// platform (the glibc version and machine of the runtime that will run them), turned into the
/// `--python-version`, `--implementation`, `--abi` and `--platform` options of `pip download`.
///
/// ```swift
/// let target = try PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")
/// target.abiTag  // "cp311"
/// target.platformTags.first  // "manylinux_2_36_x86_64"
/// ```
public struct PipTarget: Sendable, Equatable, CustomStringConvertible {
    /// The interpreter's `MAJOR.MINOR` version (`3.11`).
    public let pythonVersion: String
    /// The major version of the runtime's glibc (2).
    public let glibcMajor: Int
    /// The minor version of the runtime's glibc (36 on Debian 12).
    public let glibcMinor: Int
    /// The machine as wheels' platform tags spell it (`x86_64`, `aarch64`).
    public let machine: String

    /// A target for CPython `pythonVersion` (`"3.11"`) on a Linux with glibc `glibc` and
    /// `machine`.
    ///
    /// - Throws: `RuntimeError` when the version is not `MAJOR.MINOR`, the glibc is older than
    ///   manylinux covers (2.5 on x86_64 and i686, 2.17 elsewhere), or the machine name is not a
    ///   tag word.
    public init(pythonVersion: String, glibc: (major: Int, minor: Int), machine: String) throws(RuntimeError) {
        let parts = pythonVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Self.isDigit) }) else {
            throw RuntimeError("Python version '\(pythonVersion)' must be MAJOR.MINOR, such as 3.11")
        }
        guard !machine.isEmpty,
            machine.utf8.allSatisfy({ Self.isDigit($0) || Self.isLetter($0) || $0 == UInt8(ascii: "_") })
        else {
            throw RuntimeError("machine '\(machine)' must be a platform tag word such as x86_64 or aarch64")
        }
        let oldest = Self.legacyX86.contains(machine) ? 5 : 17
        guard glibc.major == 2, glibc.minor >= oldest else {
            throw RuntimeError(
                "glibc \(glibc.major).\(glibc.minor) is not one manylinux wheels support on \(machine) "
                    + "(2.\(oldest) or a later 2.x)")
        }
        self.pythonVersion = pythonVersion
        glibcMajor = glibc.major
        glibcMinor = glibc.minor
        self.machine = machine
    }

    /// The machines whose manylinux tags go back to glibc 2.5 (`manylinux1`, `manylinux2010`).
    private static let legacyX86: Set<String> = ["x86_64", "i686"]

    /// The CPython ABI tag of the version (`cp311`).
    public var abiTag: String { "cp" + pythonVersion.split(separator: ".").joined() }

    /// Every manylinux platform tag a wheel may carry to run here, most specific first as pip
    /// orders them: `manylinux_2_36_x86_64` down to the oldest, each legacy alias
    /// (`manylinux2014`, `manylinux2010`, `manylinux1`) right after the glibc version it stands
    /// for. `any` wheels need no tag: pip always accepts them.
    public var platformTags: [String] {
        let oldest = Self.legacyX86.contains(machine) ? 5 : 17
        var tags: [String] = []
        for minor in stride(from: glibcMinor, through: oldest, by: -1) {
            tags.append("manylinux_\(glibcMajor)_\(minor)_\(machine)")
            switch minor {
            case 17: tags.append("manylinux2014_\(machine)")
            case 12 where Self.legacyX86.contains(machine): tags.append("manylinux2010_\(machine)")
            case 5 where Self.legacyX86.contains(machine): tags.append("manylinux1_\(machine)")
            default: break
            }
        }
        return tags
    }

    /// The options that make `pip download` choose wheels for this target, with `abis` and
    /// `platforms` in place of the target's own ABI tag and platform tags when given (a fetch
    /// narrows them to the locked wheel's tags).
    public func pipOptions(abis: [String]? = nil, platforms: [String]? = nil) -> [String] {
        var options = ["--python-version", pythonVersion, "--implementation", "cp"]
        for abi in abis ?? [abiTag] { options += ["--abi", abi] }
        for platform in platforms ?? platformTags { options += ["--platform", platform] }
        return options
    }

    /// `CPython 3.11 on manylinux_2_36 x86_64`.
    public var description: String {
        "CPython \(pythonVersion) on manylinux_\(glibcMajor)_\(glibcMinor) \(machine)"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")
    }
}
