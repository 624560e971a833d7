import Foundation
import KeelArchive
import KeelImage
import KeelTesting
import Testing

/// The builder on a closure with references (made by hand in a scratch store directory): the
/// popularity order and the layer cap, the layer cache, and layers that hold exactly their
/// store paths.
@Suite(.timeLimit(.minutes(5)), .ownThreads)
struct ImageLayeringTests {
    /// A closure of `count` paths: path i references i+1 and i+2 (a chain with shortcuts), so
    /// the last paths are the most popular.
    struct Closure {
        let storeDirectory: String
        var paths: [ClosurePath]

        init(in directory: String, count: Int, changing changed: Int? = nil) throws {
            storeDirectory = directory + "/store"
            var names: [String] = []
            for index in 0..<count {
                let hash = String(String(format: "%032d", index).map { $0 == "0" ? "a" : $0 })
                let marker = index == changed ? "-changed" : ""
                names.append(
                    storeDirectory + "/" + hash.prefix(28) + (changed == index ? "zzzz" : "bbbb")
                        + "-p\(index)\(marker)")
            }
            paths = []
            for (index, path) in names.enumerated() {
                if !FileManager.default.fileExists(atPath: path) {
                    try FileManager.default.createDirectory(atPath: path + "/lib", withIntermediateDirectories: true)
                    let references = [index + 1, index + 2].filter { $0 < count }.map { names[$0] }
                    let text =
                        "path \(index)\n" + references.joined(separator: "\n") + (index == changed ? "\nnew\n" : "\n")
                    try text.write(toFile: path + "/lib/data", atomically: true, encoding: .utf8)
                    try FileManager.default.createSymbolicLink(atPath: path + "/self", withDestinationPath: path)
                }
                paths.append(
                    ClosurePath(
                        path: path, narHash: try ImageFixture.narHash(path), narSize: 0,
                        references: [index + 1, index + 2].filter { $0 < count }.map { names[$0] }))
            }
        }

        func request(output: String, maxLayers: Int, cache: String?) throws -> ImageBuildRequest {
            var request = ImageBuildRequest(
                storeDirectory: storeDirectory, closure: paths, configuration: ImageConfiguration(),
                files: [ImageFile(path: "/tmp", kind: .directory, mode: 0o1777)],
                reference: try ImageReference(parsing: "layered:test"), output: output)
            request.maxLayers = maxLayers
            request.cacheDirectory = cache
            return request
        }
    }

    @Test func theMostPopularPathsGetLayersOfTheirOwnAndTheRestShareTheLast() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let closure = try Closure(in: fixture.work, count: 12)
            let output = fixture.work + "/image"
            var nixpkgs = try closure.request(output: output, maxLayers: 5, cache: nil)
            nixpkgs.grouping = .nixpkgs
            let result = try ImageBuilder.build(nixpkgs)
            #expect(result.layers.count == 5)
            let names = result.layers.map { $0.paths.map { String($0.split(separator: "-").last ?? "") } }
            // p11 is referenced by the most chains, then p10, p9; the other nine share layer 4.
            #expect(names[0] == ["p11"])
            #expect(names[1] == ["p10"])
            #expect(names[2] == ["p9"])
            #expect(Set(names[3]) == Set((0...8).map { "p\($0)" }))
            #expect(names[4].isEmpty)
            // Balanced (the default): runs of the same order, of even size, and the root (p0,
            // referenced by nothing) alone, last.
            let balanced = try ImageBuilder.build(
                try closure.request(output: fixture.work + "/balanced", maxLayers: 5, cache: nil))
            let runs = balanced.layers.map { Set($0.paths.map { String($0.split(separator: "-").last ?? "") }) }
            #expect(runs == [["p11", "p10", "p9", "p8"], ["p7", "p6", "p5", "p4"], ["p3", "p2", "p1"], ["p0"], []])
            try ImageTools.checkLayout(output, tag: "test", scratch: fixture.work)
            let history = try ImageTools.inspect("oci:\(output):test", config: true)["history"] as? [[String: Any]]
            #expect(history?.compactMap { $0["comment"] as? String }.last == "customisation layer")
            #expect(history?.compactMap { $0["comment"] as? String }[3] == "9 store paths")
            let bundle = try ImageTools.unpack(output, tag: "test", scratch: fixture.work)
            for path in closure.paths {
                #expect(try ImageFixture.narHash(bundle + "/rootfs" + path.path) == path.narHash)
            }
            for layers in [1, 126] {
                #expect(throws: ImageBuildError.self) {
                    try ImageBuilder.build(
                        try closure.request(output: fixture.work + "/bad", maxLayers: layers, cache: nil))
                }
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.work + "/bad"))
        }
    }

    @Test func aRebuildReadsOnlyTheChangedLayersAndGivesTheSameBytes() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let cache = fixture.cache + "/images"
            let before = try Closure(in: fixture.work, count: 8)
            let first = try ImageBuilder.build(
                try before.request(output: fixture.work + "/first", maxLayers: 100, cache: cache))
            #expect(first.layers.allSatisfy { !$0.fromCache })
            // p0 (the top, referenced by nothing) changes: only its layer is built again.
            let after = try Closure(in: fixture.work, count: 8, changing: 0)
            let rebuilt = try ImageBuilder.build(
                try after.request(output: fixture.work + "/rebuilt", maxLayers: 100, cache: cache))
            let fresh = try ImageBuilder.build(
                try after.request(output: fixture.work + "/fresh", maxLayers: 100, cache: nil))
            let reused = rebuilt.layers.filter(\.fromCache).flatMap(\.paths)
            #expect(reused.count == 7)
            #expect(!reused.contains { $0.hasSuffix("-p0-changed") })
            #expect(rebuilt.layers.filter { !$0.fromCache }.map(\.paths) == [[after.paths[0].path], []])
            #expect(rebuilt.manifestDigest == fresh.manifestDigest)
            #expect(
                try ImageFixture.files(in: fixture.work + "/rebuilt") == ImageFixture.files(in: fixture.work + "/fresh")
            )
            // An entry written in another boot is not used: its blob was never synced, and a
            // crash of the machine may have left it holding what the disk had.
            let entries = cache + "/layers"
            for name in try FileManager.default.contentsOfDirectory(atPath: entries) {
                let file = entries + "/" + name
                var fields = try String(contentsOfFile: file, encoding: .utf8).split(separator: " ")
                #expect(fields.count == 5)
                fields[fields.count - 1] = "00000000-0000-0000-0000-000000000000\n"
                try fields.joined(separator: " ").write(toFile: file, atomically: true, encoding: .utf8)
            }
            let afterReboot = try ImageBuilder.build(
                try after.request(output: fixture.work + "/rebooted", maxLayers: 100, cache: cache))
            #expect(afterReboot.layers.allSatisfy { !$0.fromCache })
            #expect(afterReboot.manifestDigest == fresh.manifestDigest)
            let sameBoot = try ImageBuilder.build(
                try after.request(output: fixture.work + "/same-boot", maxLayers: 100, cache: cache))
            #expect(sameBoot.layers.dropLast().allSatisfy { $0.fromCache })
            // A cached blob that lost bytes is not used (the images share its inode: they are
            // damaged too, and no longer looked at).
            let blobs = cache + "/blobs/sha256"
            for name in try FileManager.default.contentsOfDirectory(atPath: blobs) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: blobs + "/" + name))
                try handle.truncate(atOffset: 512)
                try handle.close()
            }
            let afterDamage = try ImageBuilder.build(
                try after.request(output: fixture.work + "/again", maxLayers: 100, cache: cache))
            #expect(afterDamage.manifestDigest == fresh.manifestDigest)
        }
    }

    @Test func aLayerThatCannotBeReadFailsTheBuildAndLeavesNothing() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let closure = try Closure(in: fixture.work, count: 12)
            // A fifo in one path, several layers ahead of it and behind it: the layers being
            // written beside the failing one finish, no later one starts, and nothing is kept.
            let broken = closure.paths[5].path
            #expect(mkfifo(broken + "/lib/pipe", 0o644) == 0)
            for cache in [fixture.cache + "/images", nil] {
                let output = fixture.work + "/out"
                var started = Set<Int>()
                var finished = Set<Int>()
                #expect {
                    try ImageBuilder.build(try closure.request(output: output, maxLayers: 100, cache: cache)) {
                        switch $0 {
                        case .layerStarted(let index, _, _): started.insert(index)
                        case .layerFinished(let index, _, _): finished.insert(index)
                        }
                    }
                } throws: { error in
                    "\(error)".contains(broken + "/lib/pipe is not a directory, regular file or symlink")
                }
                // The failing layer is the 7th of 12 (p11 is the most popular): the build stops
                // there. Besides it, at most the one other layer in flight when it failed may have
                // started without finishing (it is dropped).
                #expect(started.count < closure.paths.count)
                #expect((1...2).contains(started.subtracting(finished).count))
                #expect(finished.isSubset(of: started))
                #expect(!FileManager.default.fileExists(atPath: output))
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.work).filter {
                    $0.hasPrefix(".keel-image")
                }
                #expect(leftovers.isEmpty)
            }
        }
    }

    @Test func theRootHasALayerOfItsOwnWhenPathsShareLayers() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let cache = fixture.cache + "/images"
            let before = try Closure(in: fixture.work, count: 12)
            let root = before.paths[0].path
            let first = try ImageBuilder.build(
                try before.request(output: fixture.work + "/first", maxLayers: 6, cache: cache))
            let storeLayers = first.layers.dropLast()
            #expect(storeLayers.count == 5)
            #expect(storeLayers.last?.paths == [root])
            #expect(storeLayers.map(\.paths.count).reduce(0, +) == 12)
            // A new root (a change under it gives it a new path): only its layer is built again.
            let after = try Closure(in: fixture.work, count: 12, changing: 0)
            let rebuilt = try ImageBuilder.build(
                try after.request(output: fixture.work + "/rebuilt", maxLayers: 6, cache: cache))
            #expect(rebuilt.layers.filter { !$0.fromCache }.map(\.paths) == [[after.paths[0].path], []])
            // Nixpkgs' rule puts it in the last layer with the other least popular paths.
            var nixpkgs = try before.request(output: fixture.work + "/nixpkgs", maxLayers: 6, cache: nil)
            nixpkgs.grouping = .nixpkgs
            let shared = try ImageBuilder.build(nixpkgs).layers.dropLast().last?.paths ?? []
            #expect(shared.contains(root) && shared.count > 1)
        }
    }
}
