import Foundation
import KeelCache
import KeelFileTree
import KeelFormats
import KeelStore
import KeelTesting

/// A closure built by the real nix in a private chroot store whose store directory is that of
/// an empty Keel root, and binary caches `nix copy --to file://` writes from it, signed.
final class SubstitutionFixture {
    let temporary: TemporaryDirectory
    /// The Keel root the substitutions go into (nothing is valid there at first).
    let keelRoot: String
    let layout: StoreLayout
    let nix: NixOracle
    /// nix's chroot store URL (`local?root=…`).
    let nixStore: String
    let key: SigningSecretKey
    let otherKey: SigningSecretKey
    private let keyFile: String
    /// The top path of the closure, and the closure as full paths, sorted.
    let top: String
    let closure: [String]

    init() throws {
        temporary = try TemporaryDirectory(prefix: "keel-substitution")
        keelRoot = temporary.appending("keel")
        layout = try StoreLayout(root: keelRoot)
        try FileManager.default.createDirectory(atPath: temporary.appending("nix"), withIntermediateDirectories: true)
        nix = try NixOracle(root: temporary.appending("nix"), storeDirectory: layout.storeDirectory.path)
        nixStore = "local?root=\(temporary.appending("nixroot"))"
        key = try SigningSecretKey.generate(name: "keel-substitution-test-1")
        otherKey = try SigningSecretKey.generate(name: "keel-substitution-test-1")
        keyFile = temporary.appending("secret-key")
        try key.text.write(toFile: keyFile, atomically: false, encoding: .utf8)
        let expression = temporary.appending("closure.nix")
        try NixExpressions.closure.write(toFile: expression, atomically: false, encoding: .utf8)
        top = try nix.output(
            "nix-build",
            [
                "--store", nixStore, "--option", "sandbox-paths", "/bin/sh=/bin/busybox", expression, "-A", "top",
                "--no-out-link",
            ])
        closure = try nix.output("nix-store", ["--store", nixStore, "-qR", top]).split(separator: "\n").map(
            String.init
        ).sorted()
    }

    deinit { temporary.remove() }

    /// Writes the closure of `paths` (default: `top`) to a new cache directory `name` with `nix copy --to`,
    /// compressed with `compression` (`xz` or `none`) and signed with `key`; returns it.
    func writeCache(_ name: String, compression: String = "xz", paths: [String]? = nil) throws -> String {
        let directory = temporary.appending(name)
        try nix.run(
            "nix",
            [
                "copy", "--store", nixStore, "--to",
                "file://\(directory)?secret-key=\(keyFile)&compression=\(compression)",
            ] + (paths ?? [top]))
        return directory
    }

    /// Adds a path holding one file of `size` bytes to nix's store (`nix-store --add`).
    func addLargePath(size: Int) throws -> String {
        let file = temporary.appending("large")
        var bytes = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return try nix.output("nix-store", ["--store", nixStore, "--add", file])
    }

    /// Opens the Keel store.
    func openStore() throws -> LocalStore { try LocalStore(layout: layout) }

    /// A substituter over `urls` trusting `keys` (default: the signing key).
    func substituter(_ urls: [String], trusting keys: [SigningPublicKey]? = nil, timeout: Duration = .seconds(30))
        throws -> Substituter
    {
        try Substituter(
            urls: urls, storeDirectory: layout.storeDirectory, trustedKeys: keys ?? [key.publicKey], jobs: 4,
            timeout: timeout)
    }

    /// The store path of the closure whose name is `name` (`dep`, `multi`, `top`…).
    func path(named name: String) throws -> StorePath {
        guard let full = closure.first(where: { $0.hasSuffix("-\(name)") }) else {
            throw SubstitutionTestError("no path named \(name) in \(closure)")
        }
        return try layout.storeDirectory.parse(full)
    }

    /// nix's NAR hash and references of `full`.
    func nixInfo(_ full: String) throws -> (hash: NixHash, references: Set<String>) {
        let hash = try NixHash(parsing: try nix.output("nix-store", ["--store", nixStore, "-q", "--hash", full]))
        let references = try nix.output("nix-store", ["--store", nixStore, "-q", "--references", full])
        return (hash, Set(references.split(separator: "\n").map(String.init)))
    }

    /// Problems with `store` against nix: the closure of `top` valid there with nix's NAR
    /// hashes and references, and signatures kept; empty when it matches.
    func differences(in store: LocalStore) throws -> [String] {
        var problems: [String] = []
        let topPath = try layout.storeDirectory.parse(top)
        guard try store.isValid(topPath) else { return ["\(top) is not valid"] }
        let keel = try store.closure(of: [topPath]).map(store.fullPath).sorted()
        if keel != closure { problems.append("closure \(keel) != nix's \(closure)") }
        for full in closure {
            let info = try store.info(try store.storePath(full))
            let expected = try nixInfo(full)
            if info.narHash != expected.hash {
                problems.append("\(full): NAR hash \(info.narHash) != \(expected.hash)")
            }
            if Set(info.references.map(store.fullPath)) != expected.references {
                problems.append("\(full): references \(info.references) != \(expected.references)")
            }
            if info.signatures.isEmpty { problems.append("\(full): no signatures kept") }
            if try TreeDumper.hash(path: full).0 != expected.hash {
                problems.append("\(full): files differ from nix's")
            }
        }
        return problems
    }

    /// Paths of the closure that are valid in `store` (none after a refusal).
    func validPaths(in store: LocalStore) throws -> [String] {
        try closure.filter { try store.isValid(try layout.storeDirectory.parse($0)) }
    }

    /// The narinfo file of `path` in `cache`.
    func narinfoFile(of path: StorePath, in cache: String) -> String {
        "\(cache)/\(CacheLayout.narinfoName(of: path))"
    }

    /// Rewrites `path`'s narinfo in `cache` through `change`; with `resign`, its signatures are
    /// replaced by a fresh one by `key`.
    func editNarInfo(of path: StorePath, in cache: String, resign: Bool, _ change: (inout NarInfo) -> Void) throws {
        let file = narinfoFile(of: path, in: cache)
        var info = try NarInfo(parsing: try String(contentsOfFile: file, encoding: .utf8))
        change(&info)
        if resign {
            info.signatures = []
            try info.sign(with: key)
        }
        try info.text.write(toFile: file, atomically: false, encoding: .utf8)
    }

    /// The NAR file `path`'s narinfo in `cache` names.
    func narFile(of path: StorePath, in cache: String) throws -> String {
        let info = try NarInfo(parsing: try String(contentsOfFile: narinfoFile(of: path, in: cache), encoding: .utf8))
        return "\(cache)/\(info.url)"
    }

    /// Rewrites the file at `path` through `change`.
    static func editFile(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
