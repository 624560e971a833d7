/// What a wheel's `.dist-info/WHEEL` file says that installing needs: its format version
/// (major version 1 is the one Keel, like pip, installs) and whether the top level of the
/// archive is purelib or platlib content.
struct WheelInfo: Equatable {
    /// Whether `Root-Is-Purelib: true` (case-insensitive), as pip reads it.
    let rootIsPurelib: Bool

    /// Parses the WHEEL file of the wheel `wheel` (RFC 822 style `Key: Value` lines).
    ///
    /// - Throws: `RuntimeError` naming the wheel when `Wheel-Version` is missing, malformed or
    ///   of a major version other than 1.
    init(parsing text: String, wheel: String) throws(RuntimeError) {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), line.first.map({ !$0.isWhitespace }) ?? false else { continue }
            let key = String(line[..<colon]).lowercased()
            if fields[key] == nil {
                fields[key] = line[line.index(after: colon)...].trimmingWhitespace()
            }
        }
        guard let version = fields["wheel-version"] else {
            throw RuntimeError("wheel \(wheel): its WHEEL file has no Wheel-Version")
        }
        let components = version.split(separator: ".", omittingEmptySubsequences: false)
        guard components.count >= 1, let major = Int(components[0]),
            components.dropFirst().allSatisfy({ Int($0) != nil })
        else {
            throw RuntimeError("wheel \(wheel): its WHEEL file has a malformed Wheel-Version '\(version)'")
        }
        guard major == 1 else {
            throw RuntimeError(
                "wheel \(wheel): Wheel-Version \(version) is not supported (only 1.x, as pip installs)")
        }
        rootIsPurelib = fields["root-is-purelib"]?.lowercased() == "true"
    }
}
