import KeelArchive

/// Writes the customisation layer: the image's non-store files in component-wise sorted order,
/// with every missing parent directory added (0755, root) before its entries.
struct CustomisationTar {
    /// The fixed metadata of every header (its owner replaced by each file's own).
    let formatting: TarFormatting

    /// The files, checked: absolute normalised paths, no path twice, nothing below a file or
    /// symlink.
    ///
    /// - Throws: `ImageBuildError` naming the first file at fault.
    func append(_ files: [ImageFile], into stream: inout LayerStream) throws {
        var byPath: [[UInt8]: ImageFile] = [:]
        for file in files {
            let components = file.path.split(separator: "/", omittingEmptySubsequences: false)
            guard file.path.hasPrefix("/"), components.count > 1,
                !components.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
            else { throw ImageBuildError("image file '\(file.path)' is not an absolute, normalised path") }
            let key = Array(file.path.utf8.dropFirst())
            guard byPath[key] == nil else { throw ImageBuildError("image file '\(file.path)' is given twice") }
            byPath[key] = file
        }
        // Parents that are not listed become plain directories.
        for key in Array(byPath.keys) {
            var parent = key
            while let slash = parent.lastIndex(of: 0x2F) {
                parent = Array(parent[..<slash])
                if let existing = byPath[parent] {
                    guard existing.kind == .directory else {
                        throw ImageBuildError(
                            "image file '/\(String(decoding: key, as: UTF8.self))' is below a non-directory")
                    }
                    break
                }
                byPath[parent] = ImageFile(
                    path: "/" + String(decoding: parent, as: UTF8.self), kind: .directory, mode: 0o755)
            }
        }
        let ordered = byPath.keys.sorted { Self.componentsPrecede($0, $1) }
        for key in ordered {
            guard let file = byPath[key] else { continue }
            var headerFormatting = formatting
            headerFormatting.userID = file.owner.uid
            headerFormatting.groupID = file.owner.gid
            headerFormatting.userName = file.owner.userName
            headerFormatting.groupName = file.owner.groupName
            switch file.kind {
            case .directory:
                try stream.append(
                    header: TarMember(path: key, kind: .directory, mode: file.mode), formatting: headerFormatting)
            case .symlink(let target):
                try stream.append(
                    header: TarMember(path: key, kind: .symlink(target: Array(target.utf8)), mode: 0o777),
                    formatting: headerFormatting)
            case .file(let contents):
                try stream.append(
                    header: TarMember(path: key, kind: .regularFile(size: UInt64(contents.count)), mode: file.mode),
                    formatting: headerFormatting)
                try contents.withUnsafeBytes { try stream.append($0) }
                try stream.appendZeros(TarHeaderEncoder.paddingLength(forContentSize: UInt64(contents.count)))
            }
        }
    }

    /// Whether `a` sorts before `b` compared component by component (bytewise), so a parent
    /// always precedes its entries.
    static func componentsPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.split(separator: 0x2F, omittingEmptySubsequences: false).lexicographicallyPrecedes(
            b.split(separator: 0x2F, omittingEmptySubsequences: false)
        ) { $0.lexicographicallyPrecedes($1) }
    }
}
