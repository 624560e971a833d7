import Foundation

/// The files that differ between two trees (an output and its rebuild), for `--check`.
enum TreeDifference {
    /// Paths relative to the roots (`.` for the roots themselves) whose type, executable bit,
    /// contents or symlink target differ, or that exist on one side only; sorted.
    static func compare(_ first: String, _ second: String) -> [String] {
        var differences: [String] = []
        walk(first, second, relative: ".", into: &differences)
        return differences.sorted()
    }

    private static func walk(_ first: String, _ second: String, relative: String, into differences: inout [String]) {
        let manager = FileManager.default
        let a = try? manager.attributesOfItem(atPath: first)
        let b = try? manager.attributesOfItem(atPath: second)
        guard let a, let b, a[.type] as? FileAttributeType == b[.type] as? FileAttributeType else {
            differences.append(relative)
            return
        }
        switch a[.type] as? FileAttributeType {
        case .typeDirectory:
            let left = Set((try? manager.contentsOfDirectory(atPath: first)) ?? [])
            let right = Set((try? manager.contentsOfDirectory(atPath: second)) ?? [])
            for name in left.symmetricDifference(right) { differences.append(join(relative, name)) }
            for name in left.intersection(right) {
                walk(first + "/" + name, second + "/" + name, relative: join(relative, name), into: &differences)
            }
        case .typeSymbolicLink:
            if (try? manager.destinationOfSymbolicLink(atPath: first))
                != (try? manager.destinationOfSymbolicLink(atPath: second))
            {
                differences.append(relative)
            }
        default:
            let executable = { (attributes: [FileAttributeKey: Any]) in
                ((attributes[.posixPermissions] as? Int) ?? 0) & 0o100 != 0
            }
            if executable(a) != executable(b) || !manager.contentsEqual(atPath: first, andPath: second) {
                differences.append(relative)
            }
        }
    }

    private static func join(_ relative: String, _ name: String) -> String {
        relative == "." ? name : relative + "/" + name
    }
}
