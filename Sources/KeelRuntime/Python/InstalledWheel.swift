/// What `WheelInstaller` installed.
public struct InstalledWheel: Sendable, Equatable {
    /// The project name as the wheel's file name spells it.
    public let name: String
    /// The project name normalized (PEP 503).
    public let normalizedName: String
    /// The version as the wheel's file name spells it.
    public let version: String
    /// The site-packages directory, relative to the prefix (`lib/python3.11/site-packages`).
    public let sitePackages: String
    /// The `.dist-info` directory, relative to the prefix.
    public let distInfo: String
    /// Every file written, relative to the prefix, sorted (byte order).
    public let files: [String]
    /// The launcher scripts written from `console_scripts` and `gui_scripts` entry points, by
    /// name (each is `bin/NAME` below the prefix), sorted.
    public let consoleScripts: [String]
}
