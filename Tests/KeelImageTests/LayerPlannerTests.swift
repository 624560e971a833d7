import KeelTesting
import Testing

@testable import KeelImage

@Suite("Layer planner: nixpkgs' popularity contest and layer cap", .timeLimit(.minutes(5)), .ownThreads)
struct LayerPlannerTests {
    /// `/nix/store/<32 characters of hash>-<name>`.
    static func path(_ name: String, hash: Character = "0", store: String = "/nix/store") -> String {
        "\(store)/\(String(repeating: hash, count: 32))-\(name)"
    }

    static let exampleEdges = [
        ("A", "B"), ("A", "G"), ("B", "C"), ("B", "E"), ("C", "D"), ("C", "E"), ("D", "F"), ("E", "F"),
    ]

    static func graph(_ edges: [(String, String)], nodes: [String]) -> [String: [String]] {
        var references = Dictionary(uniqueKeysWithValues: nodes.map { (path($0), [String]()) })
        for (from, to) in edges { references[path(from), default: []].append(path(to)) }
        return references
    }

    @Test("the spec's worked example: scores A1 B2 C3 D4 E5 F9 G2, order F E D C B G A")
    func workedExample() {
        let references = Self.graph(Self.exampleEdges, nodes: ["A", "B", "C", "D", "E", "F", "G"])
        let scores = PopularityContest(references: references).scores
        let expected: [String: UInt64] = ["A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 9, "G": 2]
        for (name, score) in expected { #expect(scores[Self.path(name)] == PopularityScore(score), "\(name)") }
        #expect(
            LayerPlanner.popularityOrder(references: references)
                == ["F", "E", "D", "C", "B", "G", "A"].map { Self.path($0) })
    }

    @Test("self-references are dropped and paths only referenced still count")
    func selfReferencesAndMissingEntries() {
        var references = Self.graph(Self.exampleEdges, nodes: ["A", "B", "C", "D", "E", "F", "G"])
        for key in references.keys { references[key, default: []].append(key) }
        references[Self.path("F")] = nil
        #expect(
            LayerPlanner.popularityOrder(references: references)
                == ["F", "E", "D", "C", "B", "G", "A"].map { Self.path($0) })
    }

    @Test("ties: name with the hash moved to the end ascending, whatever the store directory and hash")
    func ties() {
        let paths = [
            Self.path("zlib-1.3", hash: "0"),
            Self.path("bash-5.2", hash: "1"),
            Self.path("bash-5.1", hash: "z", store: "/gnu/store"),
            Self.path("hello", hash: "b"),
            Self.path("hello", hash: "a"),
            "/opt/store/not-a-store-path",
        ]
        let references = Dictionary(uniqueKeysWithValues: paths.map { ($0, [String]()) })
        #expect(
            LayerPlanner.popularityOrder(references: references) == [
                Self.path("bash-5.1", hash: "z", store: "/gnu/store"), Self.path("bash-5.2", hash: "1"),
                Self.path("hello", hash: "a"), Self.path("hello", hash: "b"), "/opt/store/not-a-store-path",
                Self.path("zlib-1.3", hash: "0"),
            ])
        // A higher score wins over the name: "z" is referenced by both roots.
        let scored = [Self.path("a"): [Self.path("z")], Self.path("b"): [Self.path("z")], Self.path("z"): []]
        #expect(LayerPlanner.popularityOrder(references: scored) == ["z", "a", "b"].map { Self.path($0) })
    }

    @Test("the cap: one path per layer, the least popular sharing the last", arguments: [0, 1, 2, 4, 5, 6])
    func cap(maxStoreLayers: Int) {
        let names = ["p0", "p1", "p2", "p3", "p4"]
        var references: [String: [String]] = [:]
        for (index, name) in names.enumerated() {
            references[Self.path(name)] = index + 1 < names.count ? [Self.path(names[index + 1])] : []
        }
        let order = LayerPlanner.popularityOrder(references: references)
        #expect(order == names.reversed().map { Self.path($0) })
        let groups = LayerPlanner.plan(references: references, maxStoreLayers: maxStoreLayers)
        let cap = max(maxStoreLayers, 1)
        #expect(groups.count == min(cap, names.count))
        #expect(groups.flatMap { $0 } == order)
        for group in groups.dropLast() { #expect(group.count == 1) }
        #expect(groups.last?.count == names.count - min(cap, names.count) + 1)
        #expect(LayerPlanner.plan(references: [:], maxStoreLayers: maxStoreLayers).isEmpty)
    }

    @Test("scores equal nixpkgs' tree expansion on random small graphs")
    func matchesTreeExpansion() {
        let seed = testSeed()
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<30 {
            let count = Int.random(in: 1...25, using: &generator)
            var children = [[Int]](repeating: [], count: count)
            for node in 0..<count {
                for child in (node + 1)..<max(node + 1, count) where Int.random(in: 0..<4, using: &generator) == 0 {
                    children[node].append(child)
                }
            }
            let names = (0..<count).map { Self.path("n\($0)") }
            var references: [String: [String]] = [:]
            for node in 0..<count { references[names[node]] = children[node].map { names[$0] } }
            let expected = Self.treeExpansionScores(children: children)
            let scores = PopularityContest(references: references).scores
            for node in 0..<count {
                #expect(scores[names[node]] == PopularityScore(expected[node]), "seed \(seed), node \(node)")
            }
        }
    }

    /// The definition, literally: expand from each root into a tree, fold counts upward (a node's
    /// count map is 1 for itself plus, for each descendant, 1 + the sum of its children's counts).
    static func treeExpansionScores(children: [[Int]]) -> [UInt64] {
        var memo: [Int: [Int: UInt64]] = [:]
        func contest(_ node: Int) -> [Int: UInt64] {
            if let known = memo[node] { return known }
            var merged: [Int: UInt64] = [:]
            for child in children[node] { merged.merge(contest(child), uniquingKeysWith: +) }
            var result = merged.mapValues { $0 + 1 }
            result[node] = 1
            memo[node] = result
            return result
        }
        let referenced = Set(children.flatMap { $0 })
        var totals = [UInt64](repeating: 0, count: children.count)
        for root in 0..<children.count where !referenced.contains(root) {
            for (node, count) in contest(root) { totals[node] += count }
        }
        return totals
    }

    @Test("scores beyond 64 bits (2^200 reference chains) neither wrap nor trap")
    func hugeScores() {
        var references: [String: [String]] = [:]
        let depth = 200
        for level in 0..<depth {
            let top = Self.path("top\(level)")
            references[top] = [Self.path("left\(level)"), Self.path("right\(level)")]
            references[Self.path("left\(level)")] = [Self.path("top\(level + 1)")]
            references[Self.path("right\(level)")] = [Self.path("top\(level + 1)")]
        }
        references[Self.path("top\(depth)")] = []
        let order = LayerPlanner.popularityOrder(references: references)
        #expect(order.first == Self.path("top\(depth)"))
        #expect(order.last == Self.path("top0"))
        #expect(order.count == 3 * depth + 1)
    }

    @Test("a reference cycle (impossible in a store) is broken instead of looping")
    func cycle() {
        let references = [Self.path("a"): [Self.path("b")], Self.path("b"): [Self.path("a")]]
        #expect(Set(LayerPlanner.popularityOrder(references: references)) == Set(references.keys))
    }

    @Test("a 15k-path closure is planned, the same way whatever the dictionary's order")
    func largeClosure() {
        let seed = testSeed()
        var generator = SeededGenerator(seed: seed)
        let count = 15_000
        let core = 300
        let names = (0..<count).map { Self.path("package-\($0)", hash: Array("abcdfghi")[$0 % 8]) }
        var edges: [(Int, [Int])] = []
        for node in 0..<count {
            var referenced: [Int] = []
            if node > 0 {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    // Core libraries reference earlier core libraries; packages reference core
                    // libraries and earlier packages of their own group of a hundred.
                    let groupStart = core + (node - core) / 100 * 100
                    let candidate =
                        node < core || node == groupStart || Bool.random(using: &generator)
                        ? Int.random(in: 0..<min(node, core), using: &generator)
                        : Int.random(in: groupStart..<node, using: &generator)
                    referenced.append(candidate)
                }
            }
            edges.append((node, referenced + [node]))
        }
        var forward: [String: [String]] = [:]
        for (node, referenced) in edges { forward[names[node]] = referenced.map { names[$0] } }
        var backward: [String: [String]] = [:]
        backward.reserveCapacity(count * 2)
        for (node, referenced) in edges.reversed() { backward[names[node]] = referenced.reversed().map { names[$0] } }
        let first = LayerPlanner.plan(references: forward, maxStoreLayers: 99)
        let second = LayerPlanner.plan(references: backward, maxStoreLayers: 99)
        #expect(first == second, "seed \(seed)")
        #expect(first.count == 99)
        #expect(Set(first.flatMap { $0 }) == Set(names))
        #expect(first.first == [names[0]], "seed \(seed)")
    }
}
