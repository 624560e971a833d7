/// Layering: order a closure's store paths by popularity (nixpkgs' contest), then fit them into
/// the layer budget — nixpkgs' way (the least popular all share the last layer) or balanced
/// (contiguous runs of the order, as even in size as the budget allows).
public enum LayerPlanner {
    /// The closure's paths, most popular first (nixpkgs' popularity contest: expand the graph from
    /// every root into a tree and fold counts upward; ties by the name with the hash moved to the
    /// end, ascending; self-references dropped). Deterministic whatever the dictionary's order;
    /// computed in closed form with reachability bit sets (at most about 28 MB for 15k paths), not
    /// by expanding the tree.
    ///
    /// - Parameter references: every closure path (`/nix/store/<hash>-<name>`, any store
    ///   directory) mapped to the paths it references, itself possibly included.
    public static func popularityOrder(references: [String: [String]]) -> [String] {
        PopularityContest(references: references).order
    }

    /// Groups the closure's paths into at most `maxStoreLayers` layers: the first
    /// `maxStoreLayers - 1` most popular paths get a layer each, all the rest share the last one
    /// (in popularity order). An empty closure gives no groups; a cap below 1 counts as 1.
    public static func plan(references: [String: [String]], maxStoreLayers: Int) -> [[String]] {
        group(popularityOrder(references: references), maxStoreLayers: maxStoreLayers)
    }

    /// Groups already ordered paths as `plan` does.
    public static func group(_ ordered: [String], maxStoreLayers: Int) -> [[String]] {
        let cap = max(maxStoreLayers, 1)
        guard ordered.count > cap else { return ordered.map { [$0] } }
        return ordered.prefix(cap - 1).map { [$0] } + [Array(ordered.dropFirst(cap - 1))]
    }

    /// Groups already ordered paths into at most `maxStoreLayers` contiguous runs whose largest
    /// is as small as it can be: a path bigger than that keeps a layer of its own, and paths of
    /// similar popularity share one. Nixpkgs' grouping puts every path past the budget into the
    /// last layer, whatever its size — hundreds of MiB that any change to one small path (the
    /// application's own, always among the least popular) makes a new layer of (nixpkgs#48462);
    /// here a change rebuilds one layer of about `total / maxStoreLayers` at most, besides the
    /// path's own size.
    ///
    /// - Parameter sizes: each path's size (its NAR size); a missing one counts as 0. Every path
    ///   also weighs 512 bytes (its tar header), so empty paths still spread out.
    public static func balancedGroups(_ ordered: [String], sizes: [String: UInt64], maxStoreLayers: Int) -> [[String]] {
        let cap = max(maxStoreLayers, 1)
        guard ordered.count > cap else { return ordered.map { [$0] } }
        let weights = ordered.map { (sizes[$0] ?? 0) &+ 512 }
        var low = weights.min() ?? 1
        var high = weights.reduce(UInt64(0)) { $0 &+ $1 }
        // The smallest size limit for which packing in order needs at most `cap` groups (a path
        // over the limit alone in its group).
        while low < high {
            let middle = low + (high - low) / 2
            if groupCount(weights, limit: middle) <= cap { high = middle } else { low = middle + 1 }
        }
        var groups: [[String]] = []
        var current: [String] = []
        var total: UInt64 = 0
        for (path, weight) in zip(ordered, weights) {
            if !current.isEmpty && total + weight > low {
                groups.append(current)
                current = []
                total = 0
            }
            current.append(path)
            total += weight
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    /// How many groups packing `weights` in order, each group at most `limit`, takes.
    private static func groupCount(_ weights: [UInt64], limit: UInt64) -> Int {
        var count = 0
        var total: UInt64 = 0
        var open = false
        for weight in weights {
            if open && total + weight > limit {
                count += 1
                total = 0
            }
            total += weight
            open = true
        }
        return count + (open ? 1 : 0)
    }
}

/// How a closure with more store paths than layers is fitted into the budget.
public enum LayerGrouping: String, Sendable, CaseIterable, Codable {
    /// Contiguous runs of the popularity order, as even in size as the budget allows (the default).
    case balanced
    /// Nixpkgs' `buildLayeredImage`: the most popular paths a layer each, the rest in the last.
    case nixpkgs
}
