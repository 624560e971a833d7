/// One entry of an image configuration's `history`: one per layer, in layer order, unless
/// `emptyLayer` says it made no layer.
public struct HistoryEntry: Sendable, Equatable {
    /// When (RFC 3339); fixed for reproducible images.
    public var created: String?
    /// What made the layer (`created_by`).
    public var createdBy: String?
    /// A free-form comment, e.g. the store path the layer holds.
    public var comment: String?
    /// True when the entry made no layer (`empty_layer`); written only when true.
    public var emptyLayer: Bool

    /// An entry from its parts.
    public init(created: String? = nil, createdBy: String? = nil, comment: String? = nil, emptyLayer: Bool = false) {
        self.created = created
        self.createdBy = createdBy
        self.comment = comment
        self.emptyLayer = emptyLayer
    }

    /// `{"comment"?, "created"?, "created_by"?, "empty_layer"?}`.
    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [:]
        if let created { members["created"] = .string(created) }
        if let createdBy { members["created_by"] = .string(createdBy) }
        if let comment { members["comment"] = .string(comment) }
        if emptyLayer { members["empty_layer"] = .bool(true) }
        return .object(members)
    }
}
