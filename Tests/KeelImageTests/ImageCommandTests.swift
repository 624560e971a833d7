import Foundation
import KeelTesting
import Testing

/// `keel image build` as users run it: the same bytes from two roots, agents' images that run
/// as the supervisor would run them, and bad input refused with nothing written.
@Suite(.timeLimit(.minutes(5)), .ownThreads)
struct ImageCommandTests {
    @Test func twoRootsBuildTheSameBytes() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let tree = fixture.work + "/app"
            var random = RandomTree(seed: 42)
            try random.make(at: tree)
            let arguments = { (path: String, output: String) in
                ["image", "build", path, "-o", output, "--tag", "example/app:1", "--env", "MODE=test"]
                    + fixture.storeArguments
            }
            // First root: build, keep the image, then remove the root and its store entirely.
            let first = fixture.work + "/first"
            let app = try fixture.add(tree, name: "app")
            try fixture.keelSucceeding(arguments(app, first))
            TemporaryDirectory.removeTree(fixture.root)
            TemporaryDirectory.removeTree(fixture.storeDirectory)
            TemporaryDirectory.removeTree(fixture.cache)
            // Second root, same store directory: the same paths again, built from another
            // working directory under another umask, without the layer cache.
            let again = try fixture.add(tree, name: "app")
            #expect(again == app)
            let second = fixture.work + "/second"
            let command = ([KeelBinary.path] + arguments(app, second) + ["--no-cache"]).map { "'\($0)'" }
            let result = try ProcessRunner.run(
                "sh", ["-c", "umask 077; cd /; exec " + command.joined(separator: " ")])
            #expect(result.status == 0, "\(result.errorOutput)")
            let firstFiles = try ImageFixture.files(in: first)
            #expect(firstFiles.count >= 5)
            #expect(firstFiles == (try ImageFixture.files(in: second)))
        }
    }

    @Test func anAgentsImageRunsAsTheSupervisorRunsIt() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let config = fixture.work + "/config"
            try FileManager.default.createDirectory(atPath: config + "/bb/bin", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: ImageFixture.busybox, toPath: config + "/bb/bin/busybox")
            try FileManager.default.createSymbolicLink(atPath: config + "/bb/bin/sh", withDestinationPath: "busybox")
            let script =
                "echo \\\"hello from $KEEL_AGENT as $(id -u) in $(pwd)\\\"; touch \\\"$KEEL_STATE_DIR/ok\\\" "
                + "&& echo state writable; cat /etc/shadow 2>/dev/null || echo no shadow; exit 3"
            try """
            [host]
            name = "imagetest"

            [packages.bb]
            src = "./bb"

            [agents.hello]
            command = ["${packages.bb}/bin/sh", "-c", "\(script)"]
            isolation = "strict"
            health = { tcp = "127.0.0.1:9090" }
            ready = "health"
            """.write(toFile: config + "/keel.toml", atomically: true, encoding: .utf8)
            let layout = fixture.work + "/hello"
            try fixture.keelSucceeding(
                ["image", "build", "--agent", "hello", "-f", config + "/keel.toml", "-o", layout]
                    + fixture.storeArguments)
            try ImageTools.checkLayout(layout, tag: "latest", scratch: fixture.work)
            let settings = try ImageTools.inspect("oci:\(layout):latest", config: true)["config"] as? [String: Any]
            #expect(settings?["User"] as? String == "65534:65534")
            #expect(settings?["WorkingDir"] as? String == "/var/lib/keel/state/hello")
            #expect((settings?["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["9090/tcp"])
            let bundle = try ImageTools.unpack(layout, tag: "latest", scratch: fixture.work)
            let run = try ImageTools.runBundle(bundle)
            #expect(run.status == 3)
            #expect(run.output == "hello from hello as 65534 in /var/lib/keel/state/hello\nstate writable\nno shadow\n")

            let missing = try fixture.keel(
                ["image", "build", "--agent", "nobody", "-f", config + "/keel.toml", "-o", fixture.work + "/x"]
                    + fixture.storeArguments)
            #expect(missing.status == 1)
            #expect(missing.errorOutput.contains("there is no agent 'nobody'"))
            #expect(missing.errorOutput.contains("hello"))
            let noGeneration = try fixture.keel(
                ["image", "build", "--agent", "hello", "-o", fixture.work + "/y"] + fixture.storeArguments)
            #expect(noGeneration.status == 1)
            #expect(noGeneration.errorOutput.contains("no current generation"))
            #expect(!FileManager.default.fileExists(atPath: fixture.work + "/x"))
            #expect(!FileManager.default.fileExists(atPath: fixture.work + "/y"))
        }
    }

    @Test func badInputIsRefusedAndNothingIsWritten() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let busybox = try fixture.addBusybox()
            let build = { (extra: [String]) in
                try fixture.keel(["image", "build"] + extra + fixture.storeArguments)
            }
            let out = fixture.work + "/out"
            let notInStore = try build(["/etc", "-o", out])
            #expect(notInStore.status == 1)
            #expect(notInStore.errorOutput.contains("'/etc' is not in the store directory"))
            let invalid = try build([fixture.storeDirectory + "/00000000000000000000000000000000-gone", "-o", out])
            #expect(invalid.status == 1)
            #expect(invalid.errorOutput.contains("is not a valid path in the store"))
            for tag in ["Upper/case:1", "name:bad tag", "name@sha256:abc", String(repeating: "a", count: 300)] {
                let badTag = try build([busybox, "-o", out, "--tag", tag])
                #expect(badTag.status == 2, "\(tag)")
                #expect(badTag.errorOutput.contains("--tag"), "\(tag)")
            }
            for layers in ["1", "126", "0"] {
                let range = try build([busybox, "-o", out, "--max-layers", layers])
                #expect(range.status == 2)
                #expect(range.errorOutput.contains("--max-layers must be 2 through 125"))
            }
            let twoTargets = try build([busybox, "--agent", "a", "-o", out])
            #expect(twoTargets.status == 2)
            #expect(!FileManager.default.fileExists(atPath: out))

            // An existing output: refused without --force; with it, only an OCI layout (or a
            // file, for the archives) is replaced.
            try FileManager.default.createDirectory(atPath: out + "/mine", withIntermediateDirectories: true)
            try "keep me".write(toFile: out + "/mine/notes", atomically: true, encoding: .utf8)
            let exists = try build([busybox, "-o", out])
            #expect(exists.status == 1)
            #expect(exists.errorOutput.contains("exists (--force replaces it)"))
            let notLayout = try build([busybox, "-o", out, "--force"])
            #expect(notLayout.status == 1)
            #expect(notLayout.errorOutput.contains("is not an OCI image layout"))
            #expect(try String(contentsOfFile: out + "/mine/notes", encoding: .utf8) == "keep me")
            let layout = fixture.work + "/layout"
            try fixture.keelSucceeding(["image", "build", busybox, "-o", layout] + fixture.storeArguments)
            try fixture.keelSucceeding(
                ["image", "build", busybox, "-o", layout, "--force", "--tag", "again:2"] + fixture.storeArguments)
            try ImageTools.checkLayout(layout, tag: "2", scratch: fixture.work)
            let archiveOverDirectory = try build([busybox, "-o", layout, "--format", "oci-archive", "--force"])
            #expect(archiveOverDirectory.status == 1)
            #expect(archiveOverDirectory.errorOutput.contains("not a regular file"))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.work).filter {
                $0.hasPrefix(".keel-image")
            }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func aBuildKilledAtAnyInstantLeavesNoHalfWrittenOutput() async throws {
        try await Blocking.run {
            let fixture = try ImageFixture()
            defer { fixture.remove() }
            let tree = fixture.work + "/big"
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            var generator = SeededGenerator(seed: 7)
            for index in 0..<40 {
                let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try Data(bytes).write(to: URL(fileURLWithPath: tree + "/file-\(index)"))
            }
            let path = try fixture.add(tree, name: "big")
            for (attempt, delay) in [UInt32(2_000), 15_000, 40_000, 80_000].enumerated() {
                let out = fixture.work + "/out-\(attempt)"
                try KeelBinary.runKilled(
                    ["image", "build", path, "-o", out, "--no-cache"] + fixture.storeArguments,
                    afterMicroseconds: delay)
                if FileManager.default.fileExists(atPath: out) {
                    // The build finished before the kill: then the image is whole.
                    try ImageTools.checkLayout(out, tag: "latest", scratch: fixture.work)
                }
                try fixture.keelSucceeding(["image", "build", path, "-o", out, "--force"] + fixture.storeArguments)
                try ImageTools.checkLayout(out, tag: "latest", scratch: fixture.work)
                // What the killed build left beside OUT is gone: the next build removed it.
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.work).filter {
                    $0.hasPrefix(".keel-image-out-\(attempt)")
                }
                #expect(leftovers.isEmpty, "\(leftovers)")
            }
            // A staging-like directory with contents but no owner file is not provably Keel's:
            // kept. An empty one (a build killed before making its owner file) is removed.
            let foreign = fixture.work + "/.keel-image-out-0-abcdef"
            let empty = fixture.work + "/.keel-image-out-0-ghijkl"
            try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
            try "mine".write(toFile: foreign + "/notes", atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            try fixture.keelSucceeding(
                ["image", "build", path, "-o", fixture.work + "/out-0", "--force"] + fixture.storeArguments)
            #expect(try String(contentsOfFile: foreign + "/notes", encoding: .utf8) == "mine")
            #expect(!FileManager.default.fileExists(atPath: empty))
            // The owner file goes with the staging directory into place, then is removed.
            #expect(!FileManager.default.fileExists(atPath: fixture.work + "/out-0/.keel-image-owner"))
        }
    }
}
