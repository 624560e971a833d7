import Foundation
import KeelFileTree
import KeelFormats
import KeelTesting
import Testing

@Suite("File trees against the real nix", .ownThreads)
struct RandomTreeOracleTests {
    @Test("200 random trees: NAR bytes, hashes, store paths and restores equal nix's")
    func randomTreesMatchNix() async throws {
        let seed = testSeed()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let nix = try NixOracle(root: temporary.appending("nix"))
        let storeDirectory = try StoreDirectory(nix.storeDirectory)
        let computer = StorePathComputer(storeDirectory: storeDirectory)
        try FileManager.default.createDirectory(atPath: temporary.appending("trees"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: temporary.appending("restored"), withIntermediateDirectories: true)
        var generator = RandomTree(seed: seed)
        let trees = (0..<200).map { temporary.appending("trees/t\($0)") }
        for tree in trees { try generator.make(at: tree) }

        // nix runs on threads of their own (`Blocking`): this test waits on it for minutes, and
        // the cooperative pool's threads belong to the async tests running beside it.
        let added = try await Blocking.run { try nix.output("nix-store", ["--add"] + trees) }
            .split(separator: "\n").map(String.init)
        let hashes = try await Blocking.run { try nix.output("nix", ["hash", "path", "--base32"] + trees) }
            .split(separator: "\n").map(String.init)
        try #require(added.count == trees.count && hashes.count == trees.count, "seed \(seed)")

        for (index, tree) in trees.enumerated() {
            let context = "seed \(seed), tree t\(index) (rerun with KEEL_TEST_SEED=\(seed))"
            let expected = try await Blocking.run { try nix.run("nix-store", ["--dump", tree]).standardOutput }

            var writer = try NARWriter(sink: ArrayNARSink())
            try TreeDumper.dump(path: tree, into: &writer)
            try writer.finish()
            #expect(writer.sink.bytes == expected, "NAR bytes differ: \(context)")

            let (hash, size) = try TreeDumper.hash(path: tree)
            #expect(hash.nixBase32 == hashes[index], "hash differs: \(context)")
            #expect(size == UInt64(expected.count), "size differs: \(context)")

            let path = try computer.sourcePath(narHash: hash, name: "t\(index)")
            #expect(storeDirectory.fullPath(path) == added[index], "store path differs: \(context)")

            let destination = temporary.appending("restored/t\(index)")
            var restorer = try TreeRestorer(destination: destination)
            var reader = ByteReader(source: ArrayByteSource(expected))
            try NARReader.parseWhole(&reader, visitor: &restorer)
            try restorer.commit()
            var again = try NARWriter(sink: ArrayNARSink())
            try TreeDumper.dump(path: destination, into: &again)
            try again.finish()
            #expect(again.sink.bytes == expected, "restored tree differs: \(context)")
        }
    }
}
