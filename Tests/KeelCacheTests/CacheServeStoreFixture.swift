import Foundation
import KeelFormats
import KeelStore
import KeelTesting

/// A Keel store holding a small closure with references, the keys a server signs with, and a
/// private nix sharing the store directory, for serving the store: two random trees, two
/// input-addressed paths imported from an export stream (nix accepts those only with a trusted
/// signature; content-addressed ones it would take unsigned), a text path referring to the
/// trees, and a top text path referring to it and to the input-addressed top.
final class CacheServeStoreFixture {
    let temporary: TemporaryDirectory
    let store: LocalStore
    /// The top path; its closure is six paths.
    let top: StorePath
    /// The input-addressed top path; its closure is itself, its leaf and a tree.
    let inputAddressed: StorePath
    /// The key the server signs with, and a stranger's key of the same name.
    let key: SigningSecretKey
    let otherKey: SigningSecretKey
    /// The secret key's file.
    let keyFile: String
    /// A private nix whose store directory is the Keel store's.
    let nix: NixOracle

    init(seed: UInt64 = testSeed()) throws {
        temporary = try TemporaryDirectory(prefix: "keel-cache-serve")
        store = try LocalStore(layout: StoreLayout(root: temporary.appending("root")))
        var trees = RandomTree(seed: seed)
        var added: [StorePath] = []
        for index in 0..<2 {
            let source = temporary.appending("tree\(index)")
            try trees.make(at: source)
            added.append(try store.add(source, name: "tree\(index)"))
        }
        let middle = try store.addText(
            name: "middle", contents: Array("uses \(store.fullPath(added[0])) and \(store.fullPath(added[1]))\n".utf8),
            references: added)
        inputAddressed = try Self.importInputAddressed(into: store, referring: added[0])
        top = try store.addText(
            name: "top", contents: Array("uses \(store.fullPath(middle)) \(store.fullPath(inputAddressed))\n".utf8),
            references: [middle, inputAddressed])
        key = try SigningSecretKey.generate(name: "keel-serve-test-1")
        otherKey = try SigningSecretKey.generate(name: "keel-serve-test-1")
        keyFile = temporary.appending("secret.key")
        try key.text.write(toFile: keyFile, atomically: false, encoding: .utf8)
        let nixRoot = temporary.appending("nix")
        try FileManager.default.createDirectory(atPath: nixRoot, withIntermediateDirectories: true)
        nix = try NixOracle(root: nixRoot, storeDirectory: store.layout.storeDirectory.path)
    }

    deinit { temporary.remove() }

    /// Imports `ia-leaf` and `ia-top` (referring to the leaf and to `tree`) with made-up hash
    /// parts, as a build's outputs would arrive; returns `ia-top`.
    private static func importInputAddressed(into store: LocalStore, referring tree: StorePath) throws -> StorePath {
        let leaf = try StorePath(digest: (0..<20).map { _ in UInt8.random(in: 0...255) }, name: "ia-leaf")
        let top = try StorePath(digest: (0..<20).map { _ in UInt8.random(in: 0...255) }, name: "ia-top")
        let leafNAR = NARTokens.archive(["nix-archive-1", "(", "type", "regular", "contents", "leaf\n", ")"])
        let topNAR = NARTokens.archive([
            "nix-archive-1", "(", "type", "regular", "executable", "", "contents",
            "#!/bin/sh\n# \(store.fullPath(leaf)) \(store.fullPath(tree))\n", ")",
        ])
        let stream = ExportStream.write([
            (ExportEntry(path: store.fullPath(leaf), references: [], deriver: nil), leafNAR),
            (
                ExportEntry(
                    path: store.fullPath(top), references: [store.fullPath(leaf), store.fullPath(tree)], deriver: nil),
                topNAR
            ),
        ])
        _ = try store.importPaths(from: ArrayByteSource(stream))
        return top
    }

    /// The closure of `top`, as full paths, sorted.
    var closure: [String] {
        get throws { try store.closure(of: [top]).map(store.fullPath).sorted() }
    }

    /// The arguments serving this store.
    var serveArguments: [String] { ["--store", "--root", store.layout.root] }

    /// A chroot nix store URL under the temporary directory, with the Keel store's directory.
    func nixStore(_ name: String) -> String { "local?root=\(temporary.appending(name))" }

    /// `nix copy --from URL --to STORE` of the closure of `path` (default: the top path),
    /// checking signatures against `trusting`.
    func nixCopy(from url: String, to nixStore: String, trusting key: SigningPublicKey, path: StorePath? = nil) throws {
        try nix.run(
            "nix",
            [
                "copy", "--from", url, "--to", nixStore, "--option", "require-sigs", "true", "--option",
                "trusted-public-keys", key.text, store.fullPath(path ?? top),
            ])
    }
}
