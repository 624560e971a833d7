import Foundation
import KeelCache
import KeelFormats
import KeelStore
import KeelTesting

/// A Keel store holding a small closure with references, for pushing: three random trees, a
/// text path referring to two of them, and a top path referring to that one and the third.
final class CachePushFixture {
    let temporary: TemporaryDirectory
    let store: LocalStore
    /// The top path; its closure is the five paths.
    let top: StorePath
    /// The key that signs, and a second key nix is told to trust instead in refusal tests.
    let key: SigningSecretKey
    let otherKey: SigningSecretKey

    init(seed: UInt64 = testSeed()) throws {
        temporary = try TemporaryDirectory(prefix: "keel-cache-push")
        store = try LocalStore(layout: StoreLayout(root: temporary.appending("root")))
        var trees = RandomTree(seed: seed)
        var added: [StorePath] = []
        for index in 0..<3 {
            let source = temporary.appending("tree\(index)")
            try trees.make(at: source)
            added.append(try store.add(source, name: "tree\(index)"))
        }
        let middle = try store.addText(
            name: "middle", contents: Array("uses \(store.fullPath(added[0])) and \(store.fullPath(added[1]))\n".utf8),
            references: [added[0], added[1]])
        top = try store.addText(
            name: "top", contents: Array("uses \(store.fullPath(middle)) and \(store.fullPath(added[2]))\n".utf8),
            references: [middle, added[2]])
        key = try SigningSecretKey.generate(name: "keel-test-1")
        otherKey = try SigningSecretKey.generate(name: "keel-test-1")
    }

    deinit { temporary.remove() }

    /// The five paths of the closure, as full paths, sorted.
    var closure: [String] {
        get throws { try store.closure(of: [top]).map(store.fullPath).sorted() }
    }

    /// A private nix whose store directory is the Keel store's (its state under `name`).
    func nix(_ name: String = "nix") throws -> NixOracle {
        let root = temporary.appending(name)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return try NixOracle(root: root, storeDirectory: store.layout.storeDirectory.path)
    }

    /// A chroot nix store URL under the temporary directory, with the Keel store's directory.
    func nixStore(_ name: String) -> String { "local?root=\(temporary.appending(name))" }

    /// Builds `NixExpressions.closure` with nix in a chroot store (`nixroot`) whose logical store
    /// directory is Keel's, and imports it into Keel's store through an export stream: input-
    /// addressed paths with self-references and derivers and no content address (so signatures
    /// matter), with the same metadata in both stores.
    ///
    /// - Returns: the nix, its store URL, the top path and its closure (full paths, sorted).
    func importNixBuiltClosure() throws -> (nix: NixOracle, nixStore: String, top: String, closure: [String]) {
        let nix = try nix()
        let nixStore = nixStore("nixroot")
        let expression = temporary.appending("closure.nix")
        try Self.write(NixExpressions.closure, to: expression)
        let top = try nix.output(
            "nix-build",
            [
                "--store", nixStore, "--option", "sandbox-paths", "/bin/sh=/bin/busybox", expression, "-A", "top",
                "--no-out-link",
            ])
        let closure = try nix.output("nix-store", ["--store", nixStore, "-qR", top]).split(separator: "\n").map(
            String.init
        ).sorted()
        let stream = try nix.run("nix-store", ["--store", nixStore, "--export"] + closure).standardOutput
        _ = try store.importPaths(from: ArrayByteSource(stream))
        return (nix, nixStore, top, closure)
    }

    /// Every regular file under `directory`, by relative path, with its bytes.
    static func files(in directory: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(directory)/\(relative)", isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            files[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(relative)")))
        }
        return files
    }

    /// Writes `text` to `path`.
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
}
