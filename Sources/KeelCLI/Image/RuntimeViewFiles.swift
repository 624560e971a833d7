import Foundation
import KeelImage
import KeelRuntime

/// A runtime environment's FHS view as image files: each top-level entry of the environment
/// linked at `/` (`/usr` → `ENV/usr`; its relative links such as `bin -> usr/bin` kept as
/// they are), as the supervisor binds them. Where the image needs a real directory (a
/// customisation file lives below it, such as `/etc/passwd` or the state directory under
/// `/var`), the directory is made and its entries are linked one level down instead. The
/// files the container runtime provides (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`)
/// and the ones the image writes itself are left out.
struct RuntimeViewFiles {
    /// The environment's store path.
    let environment: String
    /// The absolute paths the image writes itself.
    let reserved: Set<String>

    /// The links.
    ///
    /// - Throws: `CLIError` when the environment cannot be read.
    func files() throws -> [ImageFile] {
        let provided = Set(RuntimeEnvironment.viewFiles.map { "/etc/" + $0 })
        return try link(directory: environment, at: "", skipping: reserved.union(provided))
    }

    private func link(directory: String, at imageDirectory: String, skipping skipped: Set<String>) throws
        -> [ImageFile]
    {
        let manager = FileManager.default
        let entries: [String]
        do { entries = try manager.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw CLIError("runtime environment \(environment) cannot be read: \(error.localizedDescription)")
        }
        var files: [ImageFile] = []
        for entry in entries {
            let hostPath = directory + "/" + entry
            let imagePath = imageDirectory + "/" + entry
            if skipped.contains(imagePath) { continue }
            let target = try? manager.destinationOfSymbolicLink(atPath: hostPath)
            if skipped.contains(where: { $0.hasPrefix(imagePath + "/") }) {
                var isDirectory: ObjCBool = false
                // Something of the image's own goes below: a real directory, linked inside.
                if target == nil, manager.fileExists(atPath: hostPath, isDirectory: &isDirectory), isDirectory.boolValue
                {
                    files += try link(directory: hostPath, at: imagePath, skipping: skipped)
                }
                continue
            }
            files.append(ImageFile(path: imagePath, kind: .symlink(target ?? hostPath), mode: 0o777))
        }
        return files
    }
}
