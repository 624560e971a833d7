import KeelConfig
import KeelTesting
import Testing

/// The config fuzz: broken keel.toml documents, made from a valid full-featured one, each either
/// read or refused with positioned problems, and never a crash.
///
/// A failure names the seed and the case; `KEEL_TEST_SEED=<seed>` makes the same documents again
/// (the seed is also printed first, so that a crash can be repeated, and `KEEL_CONFIG_FUZZ_TRACE=1`
/// prints each case before it is read, so that the last line before a crash names it).
/// `KEEL_CONFIG_FUZZ_CASES=<n>` runs more cases than the default.
@Suite("keel.toml fuzz", .ownThreads)
struct ConfigFuzzTests {
    static let caseCount = Environment.value("KEEL_CONFIG_FUZZ_CASES").flatMap { Int($0) } ?? 400
    static let tracing = Environment.value("KEEL_CONFIG_FUZZ_TRACE") != nil

    @Test("broken documents: every problem is on a line and column of the document; no crash")
    func brokenDocuments() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let seed = testSeed()
        print("keel.toml fuzz: seed \(seed) (KEEL_TEST_SEED=\(seed) repeats it)")
        #expect(fixture.problems(ConfigFixture.fullDocument).isEmpty, "the document the fuzz breaks must be valid")
        let generator = BrokenConfigGenerator(base: ConfigFixture.fullDocument)
        var refusedByMutation: [BrokenConfigGenerator.Mutation: Int] = [:]
        for number in 0..<Self.caseCount {
            let broken = generator.make(number, seed: seed)
            let context = "seed \(seed), case \(number) (\(broken.mutation.rawValue), \(broken.bytes.count) bytes)"
            if Self.tracing { print("keel.toml fuzz: \(context)") }
            do {
                _ = try ConfigLoader.parse(broken.bytes, file: "keel.toml", directory: fixture.directory)
            } catch {
                refusedByMutation[broken.mutation, default: 0] += 1
                for failure in Self.misplaced(error, in: broken.bytes) {
                    Issue.record("\(context): \(failure)\n\(Self.excerpt(broken.bytes))")
                }
            }
        }
        // Mutations that always break the document must have been refused each time.
        let alwaysBroken: [BrokenConfigGenerator.Mutation] = [
            .nulByte, .invalidUTF8, .deepArray, .deepInlineTable, .inputsCycle, .dependsOnCycle, .longChain,
            .oddUnicodeTable,
        ]
        let rounds = Self.caseCount / BrokenConfigGenerator.Mutation.allCases.count
        for mutation in alwaysBroken {
            #expect(refusedByMutation[mutation, default: 0] >= rounds, "seed \(seed): \(mutation) was accepted")
        }
    }

    @Test("the fuzz's checks catch a problem outside the document")
    func checksCanFail() {
        let document = Array("a = 1\nb = 2\n".utf8)
        let outside = ConfigErrors(
            file: "keel.toml", problems: [ConfigProblem("x", at: SourcePosition(line: 9, column: 1))])
        let pastLine = ConfigErrors(
            file: "keel.toml", problems: [ConfigProblem("x", at: SourcePosition(line: 1, column: 8))])
        let zero = ConfigErrors(
            file: "keel.toml", problems: [ConfigProblem("x", at: SourcePosition(line: 0, column: 0))])
        let none = ConfigErrors(file: "keel.toml", problems: [])
        let inside = ConfigErrors(
            file: "keel.toml", problems: [ConfigProblem("x", at: SourcePosition(line: 2, column: 6))])
        #expect(!Self.misplaced(outside, in: document).isEmpty)
        #expect(!Self.misplaced(pastLine, in: document).isEmpty)
        #expect(!Self.misplaced(zero, in: document).isEmpty)
        #expect(!Self.misplaced(none, in: document).isEmpty)
        #expect(Self.misplaced(inside, in: document).isEmpty)
    }

    /// What is wrong with `errors` as the report on `bytes`: no problem at all, a position outside
    /// the document (a line past its last line + 1, a column past its line's end + 1), or a message
    /// that is empty or not one line.
    static func misplaced(_ errors: ConfigErrors, in bytes: [UInt8]) -> [String] {
        guard !errors.problems.isEmpty else { return ["refused without a problem"] }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var failures: [String] = []
        for problem in errors.problems {
            let position = problem.position
            let shown = "\(position): \(problem.message.prefix(300))"
            if position.line < 1 || position.column < 1 || position.line > lines.count + 1 {
                failures.append("outside the document's \(lines.count) lines: \(shown)")
            } else if position.line <= lines.count {
                let width = lines[position.line - 1].filter { $0 & 0xC0 != 0x80 }.count
                if position.column > width + 1 {
                    failures.append("past the end of line \(position.line) (\(width) characters): \(shown)")
                }
            }
            if problem.message.isEmpty || problem.message.contains(where: \.isNewline) {
                failures.append("not a one-line message: \(shown)")
            }
        }
        if errors.description.split(separator: "\n").count != errors.problems.count {
            failures.append("the report is not one line per problem")
        }
        return failures
    }

    /// The start of a document, for a failure's message.
    static func excerpt(_ bytes: [UInt8]) -> String {
        let shown = String(decoding: bytes.prefix(600), as: UTF8.self)
        return bytes.count > 600 ? shown + "… (\(bytes.count) bytes)" : shown
    }
}
