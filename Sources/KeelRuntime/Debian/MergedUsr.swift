import Foundation

/// Moves an unpacked .deb's top-level `bin`, `sbin` and `lib*` directories under `usr/`, as
/// Debian's merged-/usr layout has them (there `/lib` is a link to `usr/lib`, so what a package
/// ships in `/lib` lives in `/usr/lib`). A relative symlink whose target climbs out with `..` is
/// made absolute from where the package put it, so it still points where it did.
public enum MergedUsr {
    /// The top-level directories that live under `usr/`.
    public static let mergedDirectories = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]

    /// Applies the layout to the tree at `root`.
    ///
    /// - Throws: `RuntimeError` when a file exists both at `/X/path` and `/usr/X/path`.
    public static func apply(to root: String) throws(RuntimeError) {
        let manager = FileManager.default
        for name in mergedDirectories {
            let top = root + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: top) else { continue }
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                // A package's own /lib -> usr/lib link: the environment makes its own.
                try? manager.removeItem(atPath: top)
                continue
            }
            try move(directory: top, fhsPath: "/" + name, into: root + "/usr/" + name)
            try? manager.removeItem(atPath: top)
        }
    }

    /// Moves everything in `directory` (whose path in the package is `fhsPath`) into `target`,
    /// merging directories.
    private static func move(directory: String, fhsPath: String, into target: String) throws(RuntimeError) {
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
            throw RuntimeError("cannot create \(target): \(error.localizedDescription)")
        }
        let names = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names {
            let source = directory + "/" + name
            let destination = target + "/" + name
            let type = (try? manager.attributesOfItem(atPath: source))?[.type] as? FileAttributeType
            let existing = (try? manager.attributesOfItem(atPath: destination))?[.type] as? FileAttributeType
            if type == .typeDirectory, existing == .typeDirectory {
                try move(directory: source, fhsPath: fhsPath + "/" + name, into: destination)
                continue
            }
            if existing != nil {
                throw RuntimeError("the package ships both \(fhsPath)/\(name) and /usr\(fhsPath)/\(name)")
            }
            if type == .typeSymbolicLink, let link = try? manager.destinationOfSymbolicLink(atPath: source),
                !link.hasPrefix("/"), link.split(separator: "/").contains("..")
            {
                let absolute = normalised(fhsPath + "/" + link)
                do {
                    try manager.removeItem(atPath: source)
                    try manager.createSymbolicLink(atPath: destination, withDestinationPath: absolute)
                } catch {
                    throw RuntimeError("cannot move the link \(fhsPath)/\(name): \(error.localizedDescription)")
                }
                continue
            }
            do { try manager.moveItem(atPath: source, toPath: destination) } catch {
                throw RuntimeError("cannot move \(fhsPath)/\(name) under /usr: \(error.localizedDescription)")
            }
        }
    }

    /// An absolute path with `.` and `..` resolved lexically.
    static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                _ = parts.popLast()
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
