/// Nixpkgs' popularity contest over a closure's reference graph (`referencesByPopularity`).
///
/// Conceptually the graph is expanded from every root (a path nobody references) into a tree and
/// counts are folded upwards: a path's score is how often, and how deep, it is referenced. That
/// expansion is exponential, so it is computed in closed form instead: with `paths(y)` the number
/// of reference chains from any root down to `y`, a path's score is the sum of `paths(y)` over
/// every `y` that reaches it (itself included). Reachability is kept as one bit set per path,
/// released as soon as all the path's dependants have used it, so a 15k-path closure needs tens of
/// megabytes at most. Scores are exact however large they grow.
///
/// Self-references are dropped; a path that is only referenced (no entry of its own) counts as a
/// path without references; a reference cycle (impossible in a store) is broken deterministically
/// instead of looping. The order is score descending, then the name with its hash moved to the
/// end (`name-version-<hash>`) ascending, then the full path ascending: it does not depend on the
/// dictionary's order.
struct PopularityContest: Sendable {
    /// Every path, most popular first.
    let order: [String]
    /// Every path, in tie-break order, and its score.
    private let paths: [String]
    private let totals: [PopularityScore]

    /// Every path's score.
    var scores: [String: PopularityScore] {
        Dictionary(zip(paths, totals), uniquingKeysWith: { first, _ in first })
    }

    /// Runs the contest on `references` (path to the paths it references).
    init(references: [String: [String]]) {
        var names = Set(references.keys)
        for referenced in references.values { names.formUnion(referenced) }
        let nodes = names.map { (path: $0, key: Self.tieKey(of: Array($0.utf8))) }
            .sorted {
                $0.key == $1.key
                    ? $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) : $0.key.lexicographicallyPrecedes($1.key)
            }
        let count = nodes.count
        var indexOf: [String: Int] = [:]
        indexOf.reserveCapacity(count)
        for (index, node) in nodes.enumerated() { indexOf[node.path] = index }
        var children = [[Int]](repeating: [], count: count)
        for (path, referenced) in references {
            guard let from = indexOf[path] else { continue }
            // Sorted, without duplicates or a self-reference.
            for target in referenced.compactMap({ indexOf[$0] }).sorted() where target != from {
                if children[from].last != target { children[from].append(target) }
            }
        }

        let topological = Self.topologicalOrder(children: children)
        var position = [Int](repeating: 0, count: count)
        for (rank, node) in topological.enumerated() { position[node] = rank }
        var parents = [[Int]](repeating: [], count: count)
        var childCount = [Int](repeating: 0, count: count)
        for from in 0..<count {
            for to in children[from] where position[from] < position[to] {
                parents[to].append(from)
                childCount[from] += 1
            }
        }

        var chains = [PopularityScore](repeating: PopularityScore(), count: count)
        var totals = [PopularityScore](repeating: PopularityScore(), count: count)
        var reaching = [[UInt64]](repeating: [], count: count)
        let words = (count + 63) / 64
        for node in topological {
            if parents[node].isEmpty {
                chains[node] = PopularityScore(1)
            } else {
                for parent in parents[node] { chains[node].add(chains[parent]) }
            }
            var bits = [UInt64](repeating: 0, count: words)
            bits[node / 64] |= 1 << UInt64(node % 64)
            for parent in parents[node] {
                let parentBits = reaching[parent]
                for word in 0..<words { bits[word] |= parentBits[word] }
                childCount[parent] -= 1
                if childCount[parent] == 0 { reaching[parent] = [] }
            }
            var total = PopularityScore()
            for word in 0..<words {
                var remaining = bits[word]
                while remaining != 0 {
                    total.add(chains[word * 64 + remaining.trailingZeroBitCount])
                    remaining &= remaining - 1
                }
            }
            totals[node] = total
            if childCount[node] > 0 { reaching[node] = bits }
        }

        let ranked = (0..<count).sorted { left, right in
            totals[left] == totals[right] ? left < right : totals[right] < totals[left]
        }
        order = ranked.map { nodes[$0].path }
        paths = nodes.map(\.path)
        self.totals = totals
    }

    /// Parents before children: reverse post-order of a depth-first walk started from every node
    /// in index order (an edge back into the walk's own stack, only possible in a cycle, is ignored
    /// by the caller because it points backwards in this order).
    private static func topologicalOrder(children: [[Int]]) -> [Int] {
        let count = children.count
        var visited = [Bool](repeating: false, count: count)
        var postOrder: [Int] = []
        postOrder.reserveCapacity(count)
        var stack: [(node: Int, next: Int)] = []
        for start in 0..<count where !visited[start] {
            visited[start] = true
            stack.append((start, 0))
            while let top = stack.last {
                if top.next < children[top.node].count {
                    stack[stack.count - 1].next += 1
                    let child = children[top.node][top.next]
                    if !visited[child] {
                        visited[child] = true
                        stack.append((child, 0))
                    }
                } else {
                    postOrder.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return postOrder.reversed()
    }

    /// The bytes of the store path's name with its hash moved to the end (`hello-2.12-<hash>`),
    /// or of the last path component when it does not look like `<32-char hash>-<name>` (the
    /// whole path when that is empty).
    static func tieKey(of whole: [UInt8]) -> [UInt8] {
        var end = whole.count
        while end > 0 && whole[end - 1] == UInt8(ascii: "/") { end -= 1 }
        let start = whole[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        let base = whole[start..<end]
        guard base.count > 33, base[start + 32] == UInt8(ascii: "-"),
            base.prefix(32).allSatisfy({ isNixBase32Digit($0) })
        else { return base.isEmpty ? whole : Array(base) }
        return Array(base.dropFirst(33)) + [UInt8(ascii: "-")] + Array(base.prefix(32))
    }

    private static func isNixBase32Digit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "t"): false
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: false
        }
    }
}
