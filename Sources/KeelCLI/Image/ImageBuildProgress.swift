import Foundation
import KeelImage

/// One line on a terminal's stderr, rewritten as layers are written: which layer, of how
/// many, and what it holds.
struct ImageBuildProgress {
    /// Whether anything is shown (a terminal, and no --json).
    let enabled: Bool

    /// Shows `event`.
    func report(_ event: ImageBuildEvent) {
        guard enabled else { return }
        switch event {
        case .layerStarted(let index, let count, let paths):
            let what =
                switch paths.count {
                case 0: "customisation layer"
                case 1: Self.name(paths[0])
                default: "\(paths.count) store paths"
                }
            write("keel: layer \(index + 1)/\(count): \(what)")
        case .layerFinished:
            break
        }
    }

    /// Clears the line.
    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func write(_ line: String) {
        let columns = 100
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(line.prefix(columns))).utf8))
    }

    /// A store path's name without its directory and hash.
    static func name(_ path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        guard let dash = base.firstIndex(of: "-") else { return base }
        return String(base[base.index(after: dash)...])
    }
}
