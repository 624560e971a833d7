import KeelFileTree
import KeelFormats
import KeelLinux

/// A valid path whose files do not match the database.
public struct VerificationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The path.
    public let path: StorePath
    /// What is wrong, as one line.
    public let reason: String

    /// `PATH: REASON`.
    public var description: String { "\(path.baseName): \(reason)" }
}

extension LocalStore {
    /// Checks valid paths against the database: that each exists, and with `checkContents`, that
    /// its NAR hash and size are still the registered ones.
    ///
    /// - Parameter paths: the paths to check; every valid path when empty.
    /// - Returns: every problem found (empty when the store is intact).
    public func verify(_ paths: [StorePath] = [], checkContents: Bool) throws(StoreError) -> [VerificationProblem] {
        let targets = paths.isEmpty ? try validPaths() : paths
        var problems: [VerificationProblem] = []
        for path in targets {
            let info = try self.info(path)
            let full = fullPath(path)
            guard (try? FileSystem.status(of: Array(full.utf8))) != nil else {
                problems.append(VerificationProblem(path: path, reason: "missing from the store directory"))
                continue
            }
            guard checkContents else { continue }
            do {
                let (hash, size) = try TreeDumper.hash(path: full)
                if hash != info.narHash {
                    problems.append(
                        VerificationProblem(
                            path: path,
                            reason:
                                "contents changed: NAR hash is \(hash.prefixed(.nixBase32)), registered \(info.narHash.prefixed(.nixBase32))"
                        ))
                } else if size != info.narSize {
                    problems.append(
                        VerificationProblem(path: path, reason: "NAR size is \(size), registered \(info.narSize)"))
                }
            } catch {
                problems.append(VerificationProblem(path: path, reason: "cannot be read: \(error)"))
            }
        }
        return problems
    }
}
