/// Nixpkgs' layering: order a closure's store paths by popularity, then cap the number of layers.
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
}
