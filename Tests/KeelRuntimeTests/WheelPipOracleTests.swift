import Foundation
import KeelTesting
import Testing

@testable import KeelRuntime

/// Real wheels from PyPI, installed by pip and by `WheelInstaller`, compared exactly.
@Suite("Wheel installer against pip, with real wheels", .ownThreads)
struct WheelPipOracleTests {
    @Test("pure, console-script and compiled-extension wheels install as pip installs them")
    func realWheels() throws {
        let temporary = try TemporaryDirectory(prefix: "keel-wheel")
        defer { temporary.remove() }
        let oracle = try PipOracle.host()
        let downloads = temporary.appending("downloads")
        try oracle.download(["six==1.16.0", "idna==3.7", "wheel==0.43.0"], into: downloads)
        var expectedScripts = ["six": [String](), "idna": [], "wheel": ["wheel"]]
        if oracle.version == "3.11" {
            try oracle.download(
                ["MarkupSafe==2.1.5"], into: downloads,
                options: [
                    "--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--implementation", "cp",
                    "--abi", "cp311",
                ])
            expectedScripts["markupsafe"] = []
        }
        let wheels = try FileManager.default.contentsOfDirectory(atPath: downloads).sorted()
        #expect(wheels.count == expectedScripts.count, "\(wheels)")
        for (index, fileName) in wheels.enumerated() {
            let wheel = "\(downloads)/\(fileName)"
            let name = try WheelFileName(fileName)
            let pipPrefix = temporary.appending("pip\(index)")
            let keelPrefix = temporary.appending("keel\(index)")
            try oracle.install(wheel, prefix: pipPrefix)
            let installed = try WheelInstaller(interpreter: oracle.executable, pythonVersion: oracle.version)
                .install(wheel: wheel, into: keelPrefix)
            #expect(installed.consoleScripts == expectedScripts[name.normalizedName], "\(fileName)")
            let headersName = name.distribution.replacingOccurrences(of: "_", with: "-")
            try PipComparison.compare(
                pip: pipPrefix, scheme: try oracle.scheme(name: headersName, prefix: pipPrefix), keel: keelPrefix,
                installed: installed, wheel: wheel, pythonVersion: oracle.version, headersName: headersName)
        }
    }
}
