/// A Debian package version, `[epoch:]upstream[-revision]`, ordered as dpkg orders them
/// (Debian Policy 5.6.12).
///
/// The epoch is the number before the first colon (0 when absent), the revision what follows the
/// last hyphen (empty when absent, which compares as "0"). Upstream and revision are compared
/// part by part: a run of non-digits, compared character by character with `~` before
/// everything (the end of the string included), letters before non-letters; then a run of
/// digits, compared numerically. Equal versions may differ in spelling (`1.0` and `1.00`).
public struct DebianVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The epoch: 0 when the version has none.
    public let epoch: UInt32
    /// The upstream part (between the epoch's colon and the last hyphen).
    public let upstream: String
    /// The Debian revision (after the last hyphen); empty when there is none.
    public let revision: String
    /// The version exactly as written.
    public let description: String
    private let upstreamBytes: [UInt8]
    private let revisionBytes: [UInt8]

    /// Parses `text`.
    ///
    /// - Throws: `RuntimeError` for an empty version, whitespace, an epoch that is not a number,
    ///   an empty upstream part or an empty revision after a hyphen.
    public init(_ text: String) throws(RuntimeError) {
        guard !text.isEmpty else { throw RuntimeError("invalid Debian version '': it is empty") }
        let bytes = Array(text.utf8)
        guard !bytes.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }) else {
            throw RuntimeError("invalid Debian version '\(text)': it contains whitespace")
        }
        var rest = bytes[...]
        var epoch: UInt32 = 0
        if let colon = bytes.firstIndex(of: 0x3a) {
            let digits = bytes[..<colon]
            guard !digits.isEmpty, digits.allSatisfy(Self.isDigit),
                let value = UInt32(String(decoding: digits, as: UTF8.self))
            else { throw RuntimeError("invalid Debian version '\(text)': the epoch is not a number") }
            epoch = value
            rest = bytes[(colon + 1)...]
        }
        var upstream = rest
        var revision = rest[rest.endIndex...]
        if let hyphen = rest.lastIndex(of: 0x2d) {
            upstream = rest[..<hyphen]
            revision = rest[(hyphen + 1)...]
            guard !revision.isEmpty else {
                throw RuntimeError("invalid Debian version '\(text)': the revision after '-' is empty")
            }
        }
        guard !upstream.isEmpty else {
            throw RuntimeError("invalid Debian version '\(text)': the upstream part is empty")
        }
        self.epoch = epoch
        upstreamBytes = Array(upstream)
        revisionBytes = Array(revision)
        self.upstream = String(decoding: upstream, as: UTF8.self)
        self.revision = String(decoding: revision, as: UTF8.self)
        description = text
    }

    /// Whether the two versions are equal as dpkg compares them (`1.0` equals `1.00`).
    public static func == (left: DebianVersion, right: DebianVersion) -> Bool { compare(left, right) == 0 }

    /// Hashes what equality compares: equal versions spelled differently hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        Self.hashCanonical(upstreamBytes, into: &hasher)
        Self.hashCanonical(revisionBytes, into: &hasher)
    }

    /// Whether `left` sorts before `right`.
    public static func < (left: DebianVersion, right: DebianVersion) -> Bool { compare(left, right) < 0 }

    /// A negative number, 0 or a positive number as `left` sorts before, equal to or after
    /// `right` (as `dpkg --compare-versions`).
    public static func compare(_ left: DebianVersion, _ right: DebianVersion) -> Int {
        if left.epoch != right.epoch { return left.epoch < right.epoch ? -1 : 1 }
        let upstream = compareParts(left.upstreamBytes, right.upstreamBytes)
        if upstream != 0 { return upstream }
        return compareParts(left.revisionBytes, right.revisionBytes)
    }

    /// Compares an upstream part or a revision by Policy's algorithm.
    static func compareParts(_ left: [UInt8], _ right: [UInt8]) -> Int {
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count {
            while (leftIndex < left.count && !isDigit(left[leftIndex]))
                || (rightIndex < right.count && !isDigit(right[rightIndex]))
            {
                let leftWeight = weight(leftIndex < left.count ? left[leftIndex] : nil)
                let rightWeight = weight(rightIndex < right.count ? right[rightIndex] : nil)
                if leftWeight != rightWeight { return leftWeight - rightWeight }
                leftIndex += 1
                rightIndex += 1
            }
            while leftIndex < left.count && left[leftIndex] == 0x30 { leftIndex += 1 }
            while rightIndex < right.count && right[rightIndex] == 0x30 { rightIndex += 1 }
            var firstDifference = 0
            while leftIndex < left.count, rightIndex < right.count, isDigit(left[leftIndex]), isDigit(right[rightIndex])
            {
                if firstDifference == 0 { firstDifference = Int(left[leftIndex]) - Int(right[rightIndex]) }
                leftIndex += 1
                rightIndex += 1
            }
            if leftIndex < left.count && isDigit(left[leftIndex]) { return 1 }
            if rightIndex < right.count && isDigit(right[rightIndex]) { return -1 }
            if firstDifference != 0 { return firstDifference }
        }
        return 0
    }

    /// A character's rank among non-digits: `~` lowest, then the end of the part (and a digit,
    /// which ends the non-digit run), then letters, then everything else.
    private static func weight(_ character: UInt8?) -> Int {
        guard let character, !isDigit(character) else { return 0 }
        if character == 0x7e { return -1 }
        if isLetter(character) { return Int(character) }
        return Int(character) + 256
    }

    private static func isDigit(_ character: UInt8) -> Bool { character >= 0x30 && character <= 0x39 }

    private static func isLetter(_ character: UInt8) -> Bool {
        (character >= 0x41 && character <= 0x5a) || (character >= 0x61 && character <= 0x7a)
    }

    /// Hashes a part with every digit run's leading zeros dropped (a run of zeros, which equals
    /// no run at all, drops whole), so that parts dpkg considers equal hash alike.
    private static func hashCanonical(_ part: [UInt8], into hasher: inout Hasher) {
        var inLeadingZeros = true
        for character in part {
            if isDigit(character) {
                if inLeadingZeros && character == 0x30 { continue }
                inLeadingZeros = false
            } else {
                inLeadingZeros = true
            }
            hasher.combine(character)
        }
        hasher.combine(UInt8(0xff))
    }
}
