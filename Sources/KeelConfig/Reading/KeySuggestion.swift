/// "did you mean" for an unknown key: the closest known key, when it is close enough to be a
/// likely typo.
enum KeySuggestion {
    /// The known key nearest `key` by edit distance, if within a third of its length (at least 1,
    /// at most 3 edits, and fewer than its length: a one-letter name is no typo of another).
    static func closest(to key: String, among known: [String]) -> String? {
        let limit = min(max(1, min(3, key.count / 3)), key.count - 1)
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(Array(key.lowercased()), Array(candidate))
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// A message suffix for `key`: ` (did you mean 'x'?)` or empty.
    static func hint(for key: String, among known: [String]) -> String {
        closest(to: key, among: known).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Levenshtein distance, with a transposition of neighbours counting as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if abs(a.count - b.count) > 3 { return abs(a.count - b.count) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
