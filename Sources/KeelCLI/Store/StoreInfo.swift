import ArgumentParser
import Foundation
import KeelStore

/// `keel store info PATH`.
struct StoreInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print what the store knows about a valid path.",
        discussion: "Fields: NAR hash and size, references, deriver, registration time, signatures, content address."
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "A store path (or a path inside one).")
    var path: String

    func run() throws {
        let local = try store.open()
        let info = try storeOperation { try local.info(try local.storePath(path)) }
        let references = info.references.map(local.fullPath)
        let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(info.registrationTime)))
        if json {
            let value = JSONValue.object([
                ("path", .string(local.fullPath(info.path))),
                ("narHash", .string(info.narHash.sri)),
                ("narSize", .number(Int64(info.narSize))),
                ("references", .array(references.map(JSONValue.string))),
                ("deriver", info.deriver.map { .string(local.fullPath($0)) } ?? .null),
                ("registrationTime", .number(info.registrationTime)),
                ("signatures", .array(info.signatures.map(JSONValue.string))),
                ("ca", info.contentAddress.map { .string($0.description) } ?? .null),
            ])
            print(value.rendered())
            return
        }
        print("path:          \(local.fullPath(info.path))")
        print("nar hash:      \(info.narHash.prefixed(.nixBase32))")
        print("nar size:      \(info.narSize)")
        print("references:    \(references.joined(separator: " "))")
        print("deriver:       \(info.deriver.map(local.fullPath) ?? "")")
        print("registered:    \(time)")
        print("signatures:    \(info.signatures.joined(separator: " "))")
        print("ca:            \(info.contentAddress?.description ?? "")")
    }
}
