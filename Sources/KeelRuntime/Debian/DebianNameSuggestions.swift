/// Close spellings of a package name that does not exist, for "did you mean" in messages.
enum DebianNameSuggestions {
    /// Up to `limit` of `names` within edit distance 2 of `name` (closest first, then by name).
    static func closest(to name: String, among names: some Sequence<String>, limit: Int = 3) -> [String] {
        let wanted = Array(name.utf8)
        var found: [(distance: Int, name: String)] = []
        for candidate in names {
            let bytes = Array(candidate.utf8)
            guard abs(bytes.count - wanted.count) <= 2 else { continue }
            let distance = editDistance(wanted, bytes)
            if distance <= 2 { found.append((distance, candidate)) }
        }
        return found.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
    }

    /// Levenshtein distance: insertions, deletions and substitutions of bytes.
    private static func editDistance(_ left: [UInt8], _ right: [UInt8]) -> Int {
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for (leftIndex, leftByte) in left.enumerated() {
            current[0] = leftIndex + 1
            for (rightIndex, rightByte) in right.enumerated() {
                let substitution = previous[rightIndex] + (leftByte == rightByte ? 0 : 1)
                current[rightIndex + 1] = min(substitution, previous[rightIndex + 1] + 1, current[rightIndex] + 1)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
