#if canImport(Glibc)
    import Glibc
#endif

/// The pages of this program's machine code that start-up brought into memory.
///
/// Keel is one static binary of about 200 MB; a daemon's start-up (argument parsing, opening the
/// store, activating a generation, starting the API server) faults in ~20 MB of its code, which
/// stays resident though an idle daemon runs almost none of it. Those pages are clean copies of
/// the file: giving them back (`madvise(MADV_DONTNEED)`) loses nothing, they stay in the page
/// cache, and those the daemon runs again come back on their next use (with the pages around
/// them: the kernel maps a fault's neighbours too, so an API call brings back several MB).
public enum StartupCode {
    /// Gives back the resident pages of the executable's code: every mapping of
    /// `/proc/self/exe` that is executable, not writable and holds no page of its own
    /// (`Anonymous: 0 kB` in `/proc/self/smaps`, so nothing in it was ever written: relocated
    /// read-only data is left alone). Returns the bytes that were resident there.
    @discardableResult
    public static func release() -> UInt64 {
        guard let executable = try? FileSystem.readLink(Array("/proc/self/exe".utf8)),
            let smaps = try? FileSystem.readWholeFile("/proc/self/smaps", limit: 64 << 20)
        else { return 0 }
        var released: UInt64 = 0
        for mapping in Mapping.parse(String(decoding: smaps, as: UTF8.self))
        where mapping.path == String(decoding: executable, as: UTF8.self) && mapping.isUnwrittenCode {
            guard let start = UnsafeMutableRawPointer(bitPattern: UInt(mapping.start)) else { continue }
            if madvise(start, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                released += mapping.residentBytes
            }
        }
        return released
    }

    /// One mapping of `/proc/self/smaps`: what `release` needs of it.
    struct Mapping: Equatable {
        var start: UInt64
        var end: UInt64
        var permissions: String
        var path: String
        var residentBytes: UInt64 = 0
        var anonymousBytes: UInt64 = 0

        /// Executable, not writable, private, and never written.
        var isUnwrittenCode: Bool {
            permissions.hasPrefix("r-x") && permissions.hasSuffix("p") && anonymousBytes == 0
        }

        /// The mappings of an smaps text; a line it does not understand ends the mapping it is in
        /// being trusted (it is left out).
        static func parse(_ text: String) -> [Mapping] {
            var mappings: [Mapping] = []
            var current: Mapping?
            var trusted = true
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let first = fields.first else { continue }
                if first.contains("-"), !first.hasSuffix(":") {
                    if let current, trusted { mappings.append(current) }
                    let bounds = first.split(separator: "-")
                    guard fields.count >= 5, bounds.count == 2, let start = UInt64(bounds[0], radix: 16),
                        let end = UInt64(bounds[1], radix: 16), start < end
                    else {
                        current = nil
                        continue
                    }
                    trusted = true
                    current = Mapping(
                        start: start, end: end, permissions: String(fields[1]),
                        path: fields.count >= 6 ? fields[5...].joined(separator: " ") : "")
                } else if first == "Rss:" || first == "Anonymous:" {
                    guard fields.count == 3, fields[2] == "kB", let kilobytes = UInt64(fields[1]) else {
                        trusted = false
                        continue
                    }
                    if first == "Rss:" {
                        current?.residentBytes = kilobytes * 1024
                    } else {
                        current?.anonymousBytes = kilobytes * 1024
                    }
                }
            }
            if let current, trusted { mappings.append(current) }
            return mappings
        }
    }
}
