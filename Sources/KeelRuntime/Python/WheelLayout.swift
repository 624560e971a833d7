/// Where `pip install --prefix PREFIX` puts each part of a wheel, as paths relative to the
/// prefix: purelib and platlib content in `lib/pythonX.Y/site-packages`, scripts in `bin`,
/// headers in `include/pythonX.Y/NAME`, data in the prefix itself.
struct WheelLayout {
    /// Where one archive member goes.
    struct Destination: Equatable {
        /// The path below the prefix.
        let components: [String]
        /// Whether the member is one of the wheel's `.data/scripts` (its `#!python` line is
        /// rewritten and it is made executable).
        let isScript: Bool
    }

    /// `lib/pythonX.Y/site-packages`.
    let sitePackages: [String]
    /// `bin`.
    let scripts = ["bin"]
    /// `include/pythonX.Y/NAME`.
    let headers: [String]

    /// The layout for Python `pythonVersion` and the project `distribution` (the headers
    /// directory is named as pip names it for a wheel file: its name with `_` written `-`).
    init(pythonVersion: String, distribution: String) {
        sitePackages = ["lib", "python\(pythonVersion)", "site-packages"]
        let headersName = String(distribution.map { $0 == "_" ? "-" : $0 })
        headers = ["include", "python\(pythonVersion)", headersName]
    }

    /// Where the member `components` (validated, not a directory) goes: the archive's top
    /// level into site-packages (purelib and platlib are the same directory here), a
    /// top-level `*.data/KEY/PATH` to the scheme directory `KEY` names.
    ///
    /// - Throws: `RuntimeError` (saying `what`) for a `.data` member outside a scheme
    ///   directory or with an unknown scheme key.
    func destination(of components: [String], what: String) throws(RuntimeError) -> Destination {
        guard let top = components.first, top.hasSuffix(".data") else {
            return Destination(components: sitePackages + components, isScript: false)
        }
        guard components.count >= 3 else {
            throw RuntimeError(
                "\(what): a .data directory must hold files as '<scheme key>/<path>' (scheme keys: \(Self.keyList))")
        }
        let rest = Array(components.dropFirst(2))
        switch components[1] {
        case "purelib", "platlib": return Destination(components: sitePackages + rest, isScript: false)
        case "scripts": return Destination(components: scripts + rest, isScript: true)
        case "headers": return Destination(components: headers + rest, isScript: false)
        case "data": return Destination(components: rest, isScript: false)
        default:
            throw RuntimeError("\(what): unknown scheme key '\(components[1])' (valid: \(Self.keyList))")
        }
    }

    /// `destination` as the installed RECORD names it: relative to site-packages
    /// (`../../../bin/NAME` for a script).
    func recordPath(of destination: [String]) -> String {
        var common = 0
        while common < sitePackages.count, common < destination.count - 1,
            sitePackages[common] == destination[common]
        {
            common += 1
        }
        let upward = Array(repeating: "..", count: sitePackages.count - common)
        return (upward + destination[common...]).joined(separator: "/")
    }

    private static var keyList: String { "data, headers, platlib, purelib, scripts" }
}
