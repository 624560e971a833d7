#if canImport(Glibc)
    import Glibc
#endif

/// This host's name, as `gethostname(2)` gives it.
public enum HostName {
    /// The name ("localhost" when it cannot be read).
    public static var current: String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let result = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { characters in
                guard let base = characters.baseAddress else { return Int32(-1) }
                return gethostname(base, characters.count - 1)
            }
        }
        guard result == 0 else { return "localhost" }
        let name = buffer.prefix { $0 != 0 }
        return name.isEmpty ? "localhost" : String(decoding: name, as: UTF8.self)
    }
}
