/// Collects the problems of one file while it is read, positioned through the file's
/// `SourceIndex`, so that every problem is reported at once.
final class ProblemLog {
    /// The index that turns key paths into positions.
    let index: SourceIndex
    /// The problems so far.
    private(set) var problems: [ConfigProblem] = []
    /// Finds the characters of string values in the document's text.
    private let strings: StringValueLocator

    /// A log positioning through `index`, for the document in `bytes`.
    init(index: SourceIndex, bytes: [UInt8]) {
        self.index = index
        strings = StringValueLocator(bytes: bytes)
    }

    /// Where the Unicode scalar at `offset` of `string`'s value is written (counted on from its
    /// opening quote when the text cannot say).
    func position(ofScalar offset: Int, in string: ConfigString) -> SourcePosition {
        strings.position(ofScalar: offset, inStringAt: string.position)
            ?? SourcePosition(line: string.position.line, column: string.position.column + 1 + offset)
    }

    /// Records `message` at the value of `path` (or the nearest position the index has).
    func add(_ message: String, at path: TOMLKeyPath) {
        problems.append(ConfigProblem(message, at: index.position(of: path)))
    }

    /// Records `message` at the key of `path` (where a key itself is wrong).
    func add(_ message: String, atKeyOf path: TOMLKeyPath) {
        problems.append(ConfigProblem(message, at: index.keyPosition(of: path) ?? index.position(of: path)))
    }

    /// Records `message` at `position`.
    func add(_ message: String, at position: SourcePosition) {
        problems.append(ConfigProblem(message, at: position))
    }

    /// Whether anything has been recorded.
    var isEmpty: Bool { problems.isEmpty }
}
