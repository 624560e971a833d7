import Foundation
import KeelTesting
import Testing

@Suite("keel narinfo", .ownThreads)
struct NarinfoCLITests {
    static let narinfo = SpecVectors.narinfo

    @Test("verify, sign, fingerprint and generate-key work together, with nix's key files")
    func roundTrip() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let file = temporary.appending("x.narinfo")
        try Self.narinfo.write(toFile: file, atomically: false, encoding: .utf8)
        try SpecVectors.publicKey.write(
            toFile: temporary.appending("spec.pub"), atomically: false, encoding: .utf8)
        let verified = try KeelBinary.run(["narinfo", "verify", file, "--key", temporary.appending("spec.pub")])
        #expect(verified.status == 0, "\(verified.output)\(verified.errorOutput)")

        let nix = try NixOracle(root: temporary.appending("nix"))
        try nix.run(
            "nix-store", ["--generate-binary-cache-key", "mine", temporary.appending("sk"), temporary.appending("pk")])
        let unverified = try KeelBinary.run(["narinfo", "verify", file, "--key", temporary.appending("pk")])
        #expect(unverified.status == 1)
        #expect(unverified.output.contains("no valid signature"))

        let signed = try KeelBinary.run(["narinfo", "sign", file, "--key", temporary.appending("sk")])
        #expect(signed.status == 0)
        #expect(signed.output.contains("Sig: mine:"))
        #expect(signed.output.contains("Sig: test-cache-1:"))
        try signed.output.write(toFile: temporary.appending("signed.narinfo"), atomically: false, encoding: .utf8)
        #expect(
            try KeelBinary.run([
                "narinfo", "verify", temporary.appending("signed.narinfo"), "--key", temporary.appending("pk"),
            ]).status == 0)

        let generated = try KeelBinary.run([
            "narinfo", "generate-key", "k2", temporary.appending("k2.sec"), temporary.appending("k2.pub"),
        ])
        #expect(generated.status == 0)
        let mode =
            try FileManager.default.attributesOfItem(atPath: temporary.appending("k2.sec"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try KeelBinary.run([
            "narinfo", "generate-key", "k2", temporary.appending("k2.sec"), temporary.appending("x.pub"),
        ])
        #expect(again.status == 1 && again.errorOutput.contains("already exists"))
        let fingerprint = try KeelBinary.run(["narinfo", "fingerprint", file])
        #expect(fingerprint.output.hasPrefix("1;/nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep;sha256:0gddyix"))
    }

    @Test("malformed narinfo or key files exit 1 with one line; usage errors exit 2")
    func errors() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let broken = temporary.appending("broken.narinfo")
        try "StorePath: /nix/store/x\n".write(toFile: broken, atomically: false, encoding: .utf8)
        let good = temporary.appending("good.narinfo")
        try Self.narinfo.write(toFile: good, atomically: false, encoding: .utf8)
        try "garbage".write(toFile: temporary.appending("bad.key"), atomically: false, encoding: .utf8)
        for arguments in [
            ["narinfo", "verify", broken, "--key", temporary.appending("bad.key")],
            ["narinfo", "verify", good, "--key", temporary.appending("bad.key")],
            ["narinfo", "sign", good, "--key", temporary.appending("missing.key")],
        ] {
            let keel = try KeelBinary.run(arguments)
            #expect(keel.status == 1)
            #expect(
                keel.errorOutput.hasPrefix("keel: ") && keel.errorOutput.split(separator: "\n").count == 1,
                "\(keel.errorOutput)")
        }
        #expect(try KeelBinary.run(["narinfo", "verify", good]).status == 2)
        #expect(try KeelBinary.run(["narinfo", "sign"]).status == 2)
        for verb in ["verify", "sign", "fingerprint", "generate-key"] {
            #expect(try KeelBinary.run(["narinfo", verb, "--help"]).status == 0)
        }
    }
}
