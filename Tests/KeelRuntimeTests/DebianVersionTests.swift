import Foundation
import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianVersion parses and orders as dpkg does", .ownThreads)
struct DebianVersionTests {
    func version(_ text: String) throws -> DebianVersion { try DebianVersion(text) }

    @Test("splits the epoch at the first colon and the revision at the last hyphen")
    func parts() throws {
        let full = try version("2:1.2-3-4~deb12u1")
        #expect(full.epoch == 2)
        #expect(full.upstream == "1.2-3")
        #expect(full.revision == "4~deb12u1")
        #expect(full.description == "2:1.2-3-4~deb12u1")
        let bare = try version("1.0")
        #expect(bare.epoch == 0 && bare.upstream == "1.0" && bare.revision == "")
        let colons = try version("1:2:3")
        #expect(colons.epoch == 1 && colons.upstream == "2:3")
    }

    @Test("refuses what dpkg refuses", arguments: ["", "1.0 2", "a:1.0", ":1.0", "1.0-", "1:", "-1", "99999999999:1"])
    func refused(text: String) {
        #expect(throws: RuntimeError.self) { try DebianVersion(text) }
    }

    @Test("orders the cases Debian Policy spells out")
    func policyCases() throws {
        let ascending = [
            "1.0~rc1", "1.0", "1.0-0.1", "1.0-1", "1.0-1+b1", "1.0a", "1.0+dfsg", "1.0.1", "1.1~~", "1.1~~a", "1.1~",
            "1.1", "1:0.9",
        ]
        for (lower, higher) in zip(ascending, ascending.dropFirst()) {
            #expect(try version(lower) < version(higher), "\(lower) < \(higher)")
            #expect(try !(version(higher) < version(lower)), "\(higher) !< \(lower)")
        }
        #expect(try version("1.0") == version("1.00"))
        #expect(try version("1.0") == version("0:1.0-0"))
        #expect(try version("1.0-0") == version("1.0"))
        #expect(try version("1.0").hashValue == version("1.00-0").hashValue)
        #expect(try version("a0") == version("a"))
        #expect(try version("1.0") != version("1.0.0"))
        #expect(try Set([version("1.0"), version("1.00"), version("01.0-0")]).count == 1)
    }

    @Test("agrees with dpkg --compare-versions on thousands of random and tricky pairs")
    func againstDpkg() throws {
        let seed = testSeed()
        var generator = SeededGenerator(seed: seed)
        var pairs = Self.trickyPairs
        for _ in 0..<2500 {
            let left = Self.randomVersion(using: &generator)
            // Half of the pairs share a prefix, so that the comparison reaches deep.
            let right =
                Bool.random(using: &generator)
                ? Self.mutate(left, using: &generator) : Self.randomVersion(using: &generator)
            pairs.append((left, right))
        }
        let expected = try Self.dpkgOrder(pairs)
        var mismatches: [String] = []
        for ((left, right), dpkg) in zip(pairs, expected) {
            let ours = DebianVersion.compare(try version(left), try version(right)).signum()
            if ours != dpkg { mismatches.append("\(left) vs \(right): dpkg \(dpkg), ours \(ours)") }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(10).joined(separator: "; "))")
    }

    static let trickyPairs: [(String, String)] = [
        ("1.0", "1.0"), ("1.0~", "1.0"), ("1.0~~", "1.0~"), ("1.0", "1.0a"), ("1.0a", "1.0+"), ("1.0+", "1.0."),
        ("1.0-1", "1.0"), ("1.0-0", "1.0"), ("1:1.0", "2.0"), ("0:1.0", "1.0"), ("1.0", "1.00"), ("1.01", "1.1"),
        ("1.0.0", "1.0"), ("1.0a", "1.0.a"), ("1.0-1~bpo1", "1.0-1"), ("2.36-9+deb12u14", "2.36-9+deb12u4"),
        ("3.0.15-1~deb12u1", "3.0.11-1~deb12u2"), ("1:1.2.13.dfsg-1", "1:1.2.13-1"), ("1.2.3-1", "1.2.3-1.1"),
        ("10", "9"), ("1.0.0000001", "1.0.1"), ("1a", "1A"), ("1Z", "1a"), ("1~a", "1~"), ("1~", "1"),
        ("1.0-a", "1.0-1"), ("0.0", "0"), ("1-1-1", "1-1"), ("1.0++", "1.0+a"), ("18446744073709551616", "1"),
        ("1.99999999999999999999", "1.99999999999999999998"), ("1:0", "0:99"), ("1.0~rc1-1", "1.0-1"),
    ]

    static func randomVersion(using generator: inout SeededGenerator) -> String {
        let pieces = [
            "0", "1", "2", "9", "10", "01", "00", "123", ".", "+", "~", "a", "b", "z", "A", "Z", "dfsg", "deb12u",
        ]
        var upstream = ["0", "1", "2", "10", "3"].randomElement(using: &generator) ?? "1"
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            upstream += pieces.randomElement(using: &generator) ?? ""
        }
        var text = upstream
        if Int.random(in: 0..<4, using: &generator) == 0 {
            text = "\(Int.random(in: 0...3, using: &generator)):" + text
        }
        if Bool.random(using: &generator) {
            var revision = ["0", "1", "2", "1~", "0.1"].randomElement(using: &generator) ?? "1"
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                revision += pieces.randomElement(using: &generator) ?? ""
            }
            text += "-" + revision
        }
        return text
    }

    static func mutate(_ text: String, using generator: inout SeededGenerator) -> String {
        let additions = ["~", "a", "0", "1", ".", "+", "-1", "~b", "A", ".0"]
        var characters = Array(text)
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            return text + (additions.randomElement(using: &generator) ?? "")
        case 1 where characters.count > 1:
            characters.removeLast()
            return characters.last == "-" || characters.last == ":" ? text : String(characters)
        default:
            let index = Int.random(in: 0..<characters.count, using: &generator)
            guard characters[index].isNumber else { return text + "0" }
            characters[index] = Character(String(Int.random(in: 0...9, using: &generator)))
            return String(characters)
        }
    }

    /// dpkg's order of each pair (-1, 0 or 1), from one shell running `dpkg --compare-versions`.
    static func dpkgOrder(_ pairs: [(String, String)]) throws -> [Int] {
        let script = """
            while read -r a b; do
              if dpkg --compare-versions "$a" lt "$b"; then echo -1
              elif dpkg --compare-versions "$a" eq "$b"; then echo 0
              else echo 1; fi
            done
            """
        let input = pairs.map { "\($0.0) \($0.1)\n" }.joined()
        let result = try ProcessRunner.run("/bin/sh", ["-c", script], input: Array(input.utf8))
        try #require(result.status == 0, "dpkg failed: \(result.errorOutput)")
        #expect(result.errorOutput.isEmpty, "dpkg warned: \(result.errorOutput.prefix(500))")
        let order = result.output.split(separator: "\n").compactMap { Int($0) }
        try #require(order.count == pairs.count, "dpkg answered \(order.count) of \(pairs.count) pairs")
        return order
    }
}
