import Foundation
import KeelRuntime
import KeelTesting
import Testing

@Suite("DebianControl on the host's apt lists", .ownThreads)
struct DebianHostListsTests {
    @Test("parses the host's largest Packages list: one paragraph per Package line")
    func realList() throws {
        let list = try DebianTestLists.largest()
        let text = try DebianTestLists.decompressed(list)
        let control = try DebianControl(parsing: text, source: list)
        let packageLines = text.split(separator: 0x0a, omittingEmptySubsequences: false)
            .filter { $0.starts(with: Array("Package: ".utf8)) }.count
        #expect(control.count == packageLines)
        #expect(control.count > 1000)
        var withoutVersion = 0
        for paragraph in control where paragraph["Version"] == nil || paragraph["SHA256"]?.count != 64 {
            withoutVersion += 1
        }
        #expect(withoutVersion == 0)
    }
}

/// The host's apt lists, which the tests that use real packages need (`apt-get update` makes them).
enum DebianTestLists {
    static let directory = "/var/lib/apt/lists"

    /// The Packages lists of the host; a test that needs them fails (never skips) without them.
    static func all() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let lists = names.filter { $0.contains("_Packages") }.sorted().map { "\(directory)/\($0)" }
        try #require(!lists.isEmpty, "no *_Packages file in \(directory): run `apt-get update` first")
        return lists
    }

    /// The index of the host's lists, loaded once for every test that resolves real packages.
    static let hostIndex: Result<DebianPackageIndex, RuntimeError> = Result { () throws(RuntimeError) in
        try DebianPackageIndex.load()
    }

    /// The largest list (the suite's main component).
    static func largest() throws -> String {
        let lists = try all()
        let sizes = lists.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        return lists[sizes.firstIndex(of: sizes.max() ?? 0) ?? 0]
    }

    /// The list decompressed by apt itself.
    static func decompressed(_ list: String) throws -> [UInt8] {
        let result = try ProcessRunner.run("/usr/lib/apt/apt-helper", ["cat-file", list])
        try #require(result.status == 0, "apt-helper cat-file \(list): \(result.errorOutput)")
        return result.standardOutput
    }
}
