import Crypto
import KeelLinux

/// The SHA-256 of a downloaded file (a .deb, a wheel), as keel.lock pins it: lower-case hex.
public enum FileDigest {
    /// The SHA-256 of the file at `path`, read in 1 MiB blocks.
    ///
    /// - Throws: `RuntimeError` naming the file when it cannot be read.
    public static func sha256(ofFileAt path: String) throws(RuntimeError) -> String {
        do {
            let fd = try FileSystem.openForReading(Array(path.utf8))
            defer { FileSystem.close(fd) }
            var hasher = SHA256()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var offset: UInt64 = 0
            while true {
                let count = try buffer.withUnsafeMutableBytes { bytes throws(SystemError) in
                    try FileSystem.read(fd, into: bytes, at: offset)
                }
                if count == 0 { break }
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                offset += UInt64(count)
            }
            return hasher.finalize().map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
        } catch {
            throw RuntimeError("cannot read '\(path)': \(error)")
        }
    }
}
