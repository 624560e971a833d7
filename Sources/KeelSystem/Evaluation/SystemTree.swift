import KeelFormats

/// The system path's tree, as a NAR made in memory:
///
/// ```
/// manifest.json        the resolved manifest
/// packages/NAME   →    the package's store path (one symlink per package)
/// ```
enum SystemTree {
    /// The NAR of the tree with `manifest` and a link per entry of `packages` (name → full path).
    static func nar(manifest: [UInt8], packages: [String: String]) -> [UInt8] {
        // Writing a well-formed tree into memory cannot fail: names are valid package names,
        // entries are written in byte order, and the sink is an array.
        do {
            var writer = try NARWriter(sink: ArrayNARSink())
            try writer.beginDirectory()
            try writer.entry(name: Array("manifest.json".utf8))
            try writer.beginFile(executable: false, size: UInt64(manifest.count))
            try manifest.withUnsafeBytes { try writer.writeContents($0) }
            try writer.endFile()
            try writer.entry(name: Array("packages".utf8))
            try writer.beginDirectory()
            for name in packages.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                try writer.entry(name: Array(name.utf8))
                try writer.symlink(target: Array((packages[name] ?? "").utf8))
            }
            try writer.endDirectory()
            try writer.endDirectory()
            try writer.finish()
            return writer.sink.bytes
        } catch {
            preconditionFailure("writing the system tree's NAR failed: \(error)")
        }
    }
}
