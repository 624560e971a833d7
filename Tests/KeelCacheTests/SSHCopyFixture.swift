import Foundation
import KeelCache
import KeelFormats
import KeelLinux
import KeelStore
import KeelTesting
import SystemPackage

/// Two Keel roots with the same store directory and an sshd between them: the near root
/// (`local`, opened here too) and the far root, whose store directory is, for everything sshd
/// runs, the directory `farStore` (see `SSHTestServer`).
final class SSHCopyFixture {
    let directory: TemporaryDirectory
    let storeDirectory: StoreDirectory
    let localRoot: String
    let farRoot: String
    /// Where the far store's entries really are.
    let farStore: String
    let server: SSHTestServer
    let local: LocalStore

    init() throws {
        directory = try TemporaryDirectory(prefix: "keel-ssh-copy")
        storeDirectory = try StoreDirectory(directory.appending("s/store"))
        localRoot = directory.appending("local")
        farRoot = directory.appending("far")
        farStore = directory.appending("farstore")
        try FileSystem.makeDirectories(storeDirectory.path)
        try FileSystem.makeDirectories(farStore)
        server = try SSHTestServer(farStore: farStore, storeDirectory: storeDirectory.path)
        local = try LocalStore(layout: StoreLayout(root: localRoot, storeDirectory: storeDirectory))
    }

    /// The environment `keel copy` runs with: this process's, plus KEEL_SSHOPTS for the server.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KEEL_SSHOPTS"] = server.sshOptions
        return environment
    }

    /// `keel copy --to|--from ssh://127.0.0.1 … PATHS --json` between the two roots.
    func copyArguments(_ direction: String, _ paths: [StorePath]) -> [String] {
        [
            "copy", "--root", localRoot, "--store-dir", storeDirectory.path, direction, "ssh://127.0.0.1",
            "--remote-keel", KeelBinary.path, "--remote-root", farRoot, "--remote-store-dir", storeDirectory.path,
            "--json",
        ] + paths.map(storeDirectory.fullPath)
    }

    /// Runs `keel copy` to completion.
    func copy(_ direction: String, _ paths: [StorePath]) throws -> ProcessResult {
        try ProcessRunner.run(KeelBinary.path, copyArguments(direction, paths), environment: environment)
    }

    /// Which of `paths` the far store holds, asked through ssh and `keel store serve --stdio`.
    func farValid(_ paths: [StorePath]) throws -> Set<StorePath> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
        process.arguments = SSHCommandLine.arguments(
            to: try SSHDestination("ssh://127.0.0.1"), extraOptions: server.sshOptions,
            remoteCommand: SSHCommandLine.serveCommand(
                keel: KeelBinary.path, root: farRoot, storeDirectory: storeDirectory.path))
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        let client = try RemoteStoreClient(
            input: FileDescriptor(rawValue: output.fileHandleForReading.fileDescriptor),
            output: FileDescriptor(rawValue: input.fileHandleForWriting.fileDescriptor), peer: "the test's far side",
            expectedStoreDirectory: storeDirectory)
        let valid = try client.validPaths(paths)
        try client.quit()
        return valid
    }

    /// The names in the far store directory that are staging or locks.
    func farLeftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: farStore).filter {
            $0.hasPrefix(".keel-tmp-") || $0.hasSuffix(".lock")
        }
    }

    /// A closure with references: `top` → `middle` → (`base`, `data`), `top` → `base`; `data` a
    /// tree of `bigFileSize` random bytes and a symlink.
    func makeClosure(bigFileSize: Int = 1 << 16) throws -> (top: StorePath, all: [StorePath]) {
        let source = directory.appending("source-\(UInt64.random(in: 0...UInt64.max))")
        try FileSystem.makeDirectories(source)
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: bigFileSize)
        bytes.withUnsafeMutableBytes { buffer in
            for offset in stride(from: 0, to: buffer.count - 7, by: 8) {
                buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: source + "/big"))
        try FileManager.default.createSymbolicLink(atPath: source + "/link", withDestinationPath: "big")
        let data = try local.add(source, name: "data")
        let base = try local.addText(name: "base", contents: Array("base \(UUID())\n".utf8), references: [])
        let middle = try local.addText(
            name: "middle", contents: Array("\(local.fullPath(base)) \(local.fullPath(data))\n".utf8),
            references: [base, data])
        let top = try local.addText(
            name: "top", contents: Array("\(local.fullPath(middle)) \(local.fullPath(base))\n".utf8),
            references: [base, middle])
        return (top, [base, data, middle, top])
    }

    /// Stops sshd and removes everything.
    func remove() {
        server.stop()
        directory.remove()
    }
}

/// The parts of `keel copy --json` output a test checks.
struct SSHCopyOutput {
    let copied: [String]
    let alreadyPresent: [String]
    let bytes: Int

    init(_ result: ProcessResult) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any],
            let copied = object["copied"] as? [String], let present = object["alreadyPresent"] as? [String],
            let bytes = object["bytes"] as? Int
        else { throw SSHTestError("unexpected keel copy output: \(result.output) \(result.errorOutput)") }
        self.copied = copied
        alreadyPresent = present
        self.bytes = bytes
    }
}
