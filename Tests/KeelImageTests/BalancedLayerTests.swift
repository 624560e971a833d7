import KeelImage
import KeelTesting
import Testing

/// `LayerPlanner.balancedGroups`: contiguous runs of the popularity order, within the budget,
/// their largest as small as it can be.
@Suite("Layer planner: balanced groups", .timeLimit(.minutes(5)), .ownThreads)
struct BalancedLayerTests {
    @Test("fewer paths than the budget: one layer each, in order")
    func fewPaths() {
        let order = ["a", "b", "c"]
        #expect(LayerPlanner.balancedGroups(order, sizes: [:], maxStoreLayers: 3) == [["a"], ["b"], ["c"]])
        #expect(LayerPlanner.balancedGroups([], sizes: [:], maxStoreLayers: 3) == [])
    }

    @Test("a big path keeps a layer of its own; small ones share, in order")
    func bigPathAlone() {
        let order = ["big", "s1", "s2", "s3", "s4", "huge", "s5", "s6"]
        var sizes: [String: UInt64] = ["big": 100 << 20, "huge": 500 << 20]
        for name in order where sizes[name] == nil { sizes[name] = 1 << 20 }
        let groups = LayerPlanner.balancedGroups(order, sizes: sizes, maxStoreLayers: 5)
        #expect(groups.flatMap { $0 } == order)
        #expect(groups.count == 5)
        #expect(groups.contains(["big"]))
        #expect(groups.contains(["huge"]))
        #expect(groups.filter { $0.count > 1 }.allSatisfy { !$0.contains("big") && !$0.contains("huge") })
    }

    @Test("random orders and sizes: within the budget, order kept, no smaller limit would fit", arguments: 1...40)
    func randomCases(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let count = Int.random(in: 1...300, using: &random)
        let order = (0..<count).map { "p\($0)" }
        var sizes: [String: UInt64] = [:]
        for name in order {
            sizes[name] =
                Int.random(in: 0..<10, using: &random) == 0
                ? UInt64.random(in: 1...(1 << 30), using: &random) : UInt64.random(in: 0...(1 << 16), using: &random)
        }
        let budget = Int.random(in: 1...120, using: &random)
        let groups = LayerPlanner.balancedGroups(order, sizes: sizes, maxStoreLayers: budget)
        #expect(groups.flatMap { $0 } == order)
        #expect(groups.count <= max(budget, 1))
        #expect(groups.allSatisfy { !$0.isEmpty })
        guard count > budget else {
            #expect(groups.count == count)
            return
        }
        // The limit the groups show (the largest shared group's weight, or the smallest path's)
        // cannot be lowered: one byte less needs more than the budget.
        let weight = { (group: [String]) in group.reduce(UInt64(0)) { $0 + (sizes[$1] ?? 0) + 512 } }
        let limit = groups.filter { $0.count > 1 }.map(weight).max() ?? 0
        if limit > 0 {
            #expect(Self.groupsNeeded(order.map { (sizes[$0] ?? 0) + 512 }, limit: limit - 1) > budget)
        }
    }

    /// Greedy packing in order under `limit` (a path over it alone), counted.
    static func groupsNeeded(_ weights: [UInt64], limit: UInt64) -> Int {
        var count = 0
        var total: UInt64 = 0
        for weight in weights {
            if total > 0 && total + weight > limit {
                count += 1
                total = 0
            }
            total += weight
        }
        return count + (total > 0 ? 1 : 0)
    }
}
