/// A wheel's file name, parsed and validated as the binary distribution format spells it:
/// `NAME-VERSION(-BUILD)?-PYTHON-ABI-PLATFORM.whl`, where each tag may be a compressed set
/// joined by `.` (`py2.py3`).
///
/// ```swift
/// let wheel = try WheelFileName("MarkupSafe-2.1.5-cp311-cp311-manylinux2014_x86_64.whl")
/// wheel.normalizedName  // "markupsafe"
/// ```
public struct WheelFileName: Sendable, Equatable, CustomStringConvertible {
    /// The file name as given.
    public let fileName: String
    /// The project name as the file name spells it (`MarkupSafe`, `zope.interface`).
    public let distribution: String
    /// The version as the file name spells it (a `-` in it is written `_`).
    public let version: String
    /// The optional build tag (it starts with a digit).
    public let buildTag: String?
    /// The Python tags (`py3`, `cp311`…), expanded from a compressed set.
    public let pythonTags: [String]
    /// The ABI tags (`none`, `abi3`, `cp311`…).
    public let abiTags: [String]
    /// The platform tags (`any`, `manylinux_2_17_x86_64`…).
    public let platformTags: [String]

    /// File name endings of source distributions, which are refused.
    private static let sourceDistributionSuffixes = [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"]

    /// Parses `fileName` (a file name, not a path).
    ///
    /// - Throws: `RuntimeError` naming the file when it is a source distribution, does not end
    ///   in `.whl`, or a part is missing or malformed.
    public init(_ fileName: String) throws(RuntimeError) {
        self.fileName = fileName
        guard !fileName.contains("/") else {
            throw RuntimeError("wheel file name '\(fileName)' holds a '/': give the file name, not a path")
        }
        let lowercased = fileName.lowercased()
        if let suffix = Self.sourceDistributionSuffixes.first(where: { lowercased.hasSuffix($0) }) {
            throw RuntimeError(
                "'\(fileName)' is a source distribution (\(suffix)), not a wheel: Keel installs wheels (.whl) only")
        }
        guard fileName.hasSuffix(".whl") else {
            throw RuntimeError("'\(fileName)' is not a wheel file name: it must end in .whl")
        }
        let parts = fileName.dropLast(4).split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6 else {
            throw RuntimeError(
                "wheel file name '\(fileName)' has \(parts.count) '-'-separated parts, not 5 or 6 "
                    + "(NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl)")
        }
        distribution = parts[0]
        version = parts[1]
        buildTag = parts.count == 6 ? parts[2] : nil
        guard Self.isValidName(distribution) else {
            throw RuntimeError(
                "wheel file name '\(fileName)': the project name '\(distribution)' must be letters, digits, '.' "
                    + "and '_', starting and ending with a letter or digit")
        }
        guard Self.isValidVersion(version) else {
            throw RuntimeError(
                "wheel file name '\(fileName)': the version '\(version)' must be letters, digits and '.', '_', '+', "
                    + "'!', starting with a letter or digit")
        }
        if let buildTag {
            guard let first = buildTag.utf8.first, Self.isDigit(first), Self.isTagComponent(buildTag) else {
                throw RuntimeError(
                    "wheel file name '\(fileName)': the build tag '\(buildTag)' must start with a digit "
                        + "and hold only letters, digits and '_'")
            }
        }
        let tags = parts.suffix(3)
        var expanded: [[String]] = []
        for (kind, tag) in zip(["Python", "ABI", "platform"], tags) {
            let set = tag.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard set.allSatisfy(Self.isTagComponent) else {
                throw RuntimeError(
                    "wheel file name '\(fileName)': the \(kind) tag '\(tag)' must be letters, digits and '_', "
                        + "several joined by '.'")
            }
            expanded.append(set)
        }
        pythonTags = expanded[0]
        abiTags = expanded[1]
        platformTags = expanded[2]
    }

    /// The project name normalized as PEP 503 does (lower case, runs of `-`, `_`, `.` become `-`).
    public var normalizedName: String { Self.normalize(distribution) }

    /// The file name.
    public var description: String { fileName }

    /// `name` normalized as PEP 503 does: lower case, each run of `-`, `_` and `.` one `-`.
    public static func normalize(_ name: String) -> String {
        var result = ""
        var inSeparatorRun = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !inSeparatorRun { result.append("-") }
                inSeparatorRun = true
            } else {
                result.append(character)
                inSeparatorRun = false
            }
        }
        return result
    }

    /// A project name as PEP 508 allows it, less `-` (which the file name escapes as `_`).
    private static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }
    }

    /// A version's characters as they appear in file names (PEP 440 with `-` escaped as `_`).
    private static func isValidVersion(_ version: String) -> Bool {
        let bytes = Array(version.utf8)
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { byte in
            isAlphanumeric(byte)
                || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "!")]
                    .contains(byte)
        }
    }

    private static func isTagComponent(_ component: String) -> Bool {
        !component.isEmpty && component.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
