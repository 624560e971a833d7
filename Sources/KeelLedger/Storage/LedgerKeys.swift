import Foundation
import KeelFormats
import KeelLinux
import SystemPackage

/// The ledger's Ed25519 key files, in Nix's `name:base64` form: `secret.key` (mode 0600) and
/// `public.key`. Keys are written to a temporary name, synced and renamed into place, so a
/// crash never leaves half a key.
struct LedgerKeys {
    let directory: LedgerDirectory

    /// The secret key, or `nil` when there is none.
    func secretKey() throws(LedgerError) -> SigningSecretKey? {
        guard let text = try read(directory.secretKeyPath) else { return nil }
        do { return try SigningSecretKey(parsing: text) } catch {
            throw LedgerError(.damaged, "\(directory.secretKeyPath): \(error)")
        }
    }

    /// The public key, or `nil` when there is none.
    func publicKey() throws(LedgerError) -> SigningPublicKey? {
        guard let text = try read(directory.publicKeyPath) else { return nil }
        do { return try SigningPublicKey(parsing: text) } catch {
            throw LedgerError(.damaged, "\(directory.publicKeyPath): \(error)")
        }
    }

    /// Makes a new key named `HOST-ledger-GENERATION` and installs both halves.
    func create(generation: Int) throws(LedgerError) -> SigningSecretKey {
        let host = ProcessInfo.processInfo.hostName.filter { $0 != ":" && !$0.isWhitespace }
        let key: SigningSecretKey
        do { key = try SigningSecretKey.generate(name: "\(host.isEmpty ? "keel" : host)-ledger-\(generation)") } catch {
            throw LedgerError(.fileSystem, "cannot make a signing key", cause: error)
        }
        try install(key.text + "\n", at: directory.secretKeyPath, permissions: 0o600)
        try install(key.publicKey.text + "\n", at: directory.publicKeyPath, permissions: 0o644)
        return key
    }

    /// The generation number at the end of a key name (`…-ledger-N`), or 0.
    static func generation(of name: String) -> Int {
        Int(name.split(separator: "-").last ?? "") ?? 0
    }

    private func read(_ path: String) throws(LedgerError) -> String? {
        let fd: FileDescriptor
        do { fd = try FileSystem.openForReading(Array(path.utf8)) } catch {
            if error.errno == Errno.noSuchFileOrDirectory.rawValue { return nil }
            throw .fileSystem("cannot open \(path)", error)
        }
        defer { FileSystem.close(fd) }
        do { return String(decoding: try FileSystem.read(fd, count: 4096, at: 0), as: UTF8.self) } catch {
            throw .fileSystem("cannot read \(path)", error)
        }
    }

    private func install(_ text: String, at path: String, permissions: UInt32) throws(LedgerError) {
        let directoryFD: FileDescriptor
        do { directoryFD = try FileSystem.openDirectory(Array(directory.path.utf8)) } catch {
            throw .fileSystem("cannot open \(directory.path)", error)
        }
        defer { FileSystem.close(directoryFD) }
        let name = Array((path.split(separator: "/").last.map(String.init) ?? path).utf8)
        let temporary = Array(".".utf8) + name + Array(".\(getpid()).tmp".utf8)
        do {
            try? FileSystem.remove(temporary, in: directoryFD, isDirectory: false)
            let fd = try FileSystem.createFile(temporary, in: directoryFD, permissions: permissions)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, Array(text.utf8), at: 0)
            try FileSystem.sync(fd)
            try FileSystem.rename(temporary, in: directoryFD, to: name, in: directoryFD)
            try FileSystem.sync(directoryFD)
        } catch { throw .fileSystem("cannot install \(path)", error) }
    }
}

/// The public face of the ledger's key files.
public enum LedgerKeyFiles {
    /// The secret key in `directory`, or `nil` when there is none.
    public static func secretKey(in directory: LedgerDirectory) throws(LedgerError) -> SigningSecretKey? {
        try LedgerKeys(directory: directory).secretKey()
    }
}
