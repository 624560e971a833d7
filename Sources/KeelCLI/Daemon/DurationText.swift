/// Short human durations for `keel status`: `45s`, `3m12s`, `2h05m`, `3d04h`.
enum DurationText {
    /// `milliseconds` (negative counts as 0) in its two largest units.
    static func render(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds) / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\(two(seconds % 60))s"
        case ..<86_400: return "\(seconds / 3600)h\(two(seconds % 3600 / 60))m"
        default: return "\(seconds / 86_400)d\(two(seconds % 86_400 / 3600))h"
        }
    }
}
