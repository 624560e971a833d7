import Crypto
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

extension WheelFetcher {
    /// Moves the wheel at `path` (already checked to hash to `pin.sha256`, on the cache's file
    /// system) into the cache, replacing what is there, and returns its cached path.
    func keep(_ path: String, as pin: WheelPin) throws(RuntimeError) -> String {
        let directory = "\(cacheDirectory)/sha256-\(pin.sha256)"
        do {
            try FileSystem.makeDirectories(directory)
            try FileSystem.rename(
                Array(path.utf8), in: FileSystem.currentDirectory, to: Array(cachedPath(for: pin).utf8),
                in: FileSystem.currentDirectory)
        } catch {
            throw RuntimeError("cannot keep wheel '\(pin.fileName)' in the cache: \(error)")
        }
        return cachedPath(for: pin)
    }

    /// A new temporary directory in the cache's directory (so that what pip downloads there
    /// moves into the cache by renaming), named after `purpose`.
    func makeWorkDirectory(purpose: String) throws(RuntimeError) -> String {
        do {
            try FileSystem.makeDirectories(cacheDirectory)
            return try FileSystem.makeTemporaryDirectory(in: cacheDirectory, prefix: ".\(purpose)")
        } catch {
            throw RuntimeError("cannot make a directory in the wheel cache '\(cacheDirectory)': \(error)")
        }
    }

    /// Checks that `pin` is well-formed: a wheel file name of the named project and version,
    /// and a SHA-256 of 64 lower-case hex digits.
    static func check(_ pin: WheelPin) throws(RuntimeError) -> WheelFileName {
        let wheel = try WheelFileName(pin.fileName)
        guard wheel.normalizedName == pin.name, wheel.version == pin.version else {
            throw RuntimeError(
                "wheel pin \(pin.requirement) names the file '\(pin.fileName)', which is "
                    + "\(wheel.normalizedName)==\(wheel.version)")
        }
        let hexDigits = pin.sha256.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
        guard pin.sha256.utf8.count == 64, hexDigits else {
            throw RuntimeError(
                "wheel pin \(pin.requirement) has SHA-256 '\(pin.sha256)': 64 lower-case hex digits are expected")
        }
        return wheel
    }

    /// Whether a file is at `path` (not following a final symlink).
    static func isPresent(_ path: String) throws(RuntimeError) -> Bool {
        do {
            let status = try FileSystem.status(of: Array(path.utf8))
            guard status.kind == .regular else {
                throw RuntimeError("'\(path)' in the wheel cache is not a regular file: remove it")
            }
            return true
        } catch let error as SystemError where error.errno == ENOENT {
            return false
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError("cannot read the wheel cache: \(error)")
        }
    }

    /// The names of the files in `directory`, sorted; none when it does not exist.
    static func fileNames(in directory: String) throws(RuntimeError) -> [String] {
        do {
            let fd = try FileSystem.openDirectory(Array(directory.utf8))
            defer { FileSystem.close(fd) }
            return try DirectoryListing.read(fd).map { FileSystem.display($0.name) }.sorted()
        } catch  where error.errno == ENOENT {
            return []
        } catch {
            throw RuntimeError("cannot list what pip downloaded: \(error)")
        }
    }
}
