#if canImport(Glibc)
    import Glibc
#endif

/// Writing to the process's standard streams without Foundation.
public enum StandardStreams {
    /// Flushes every C stdio buffer (what `print` wrote).
    public static func flushAll() {
        fflush(nil)
    }

    /// Writes text to stderr unbuffered, ignoring failures (there is nowhere left to report them).
    public static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = try? SystemCall.writeAll(2, UnsafeRawBufferPointer(start: base, count: buffer.count))
        }
    }
}
