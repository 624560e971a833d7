import ArgumentParser
import KeelConfig

/// `keel lock`: write or refresh keel.lock.
struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Write or refresh keel.lock beside keel.toml.",
        discussion: """
            keel.lock pins every input that is not content of the repository: each fetch's file \
            hash (downloaded when its URL is new; with unpack = true also the unpacked tree's NAR \
            hash), each drv file's hash and each agent host path's NAR hash. Entries that are still \
            true are kept, entries no longer declared are dropped; the file is sorted and stable, \
            so a change is a small diff. Commit it with keel.toml.

            Exit status: 0 on success; 1 when keel.toml has a problem or an input cannot be read \
            or downloaded.
            """
    )

    @OptionGroup var config: ConfigOptions

    @Flag(help: "Print what is locked as JSON.")
    var json = false

    func run() throws {
        let configuration = try config.configuration()
        let old = try config.lock()
        let fresh = try HostEvaluation.refresh(old, of: configuration, at: config.lockPath)
        let files = fresh.runtimes.values.reduce(0) { $0 + $1.debs.count + $1.wheels.count }
        let count = fresh.fetches.count + fresh.derivations.count + fresh.hostPaths.count + files
        if json {
            let fetches = fresh.fetches.sorted { $0.key < $1.key }.map { name, fetch in
                (
                    name,
                    JSONValue.object(
                        [("url", .string(fetch.url)), ("hash", .string(fetch.hash))]
                            + (fetch.narHash.map { [("nar_hash", JSONValue.string($0))] } ?? []))
                )
            }
            let derivations = fresh.derivations.sorted { $0.key < $1.key }.map { name, file in
                (name, JSONValue.object([("path", .string(file.path)), ("hash", .string(file.hash))]))
            }
            let hostPaths = fresh.hostPaths.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }
            let runtimes = fresh.runtimes.sorted { $0.key < $1.key }.map { name, runtime in
                let debs = runtime.debs.map { deb in
                    JSONValue.object([
                        ("name", .string(deb.name)), ("version", .string(deb.version)),
                        ("arch", .string(deb.architecture)), ("sha256", .string(deb.sha256)),
                    ])
                }
                let wheels = runtime.wheels.map { wheel in
                    JSONValue.object([
                        ("name", .string(wheel.name)), ("version", .string(wheel.version)),
                        ("file", .string(wheel.file)), ("sha256", .string(wheel.sha256)),
                    ])
                }
                return (name, JSONValue.object([("debs", .array(debs)), ("wheels", .array(wheels))]))
            }
            print(
                JSONValue.object([
                    ("file", .string(config.lockPath)), ("changed", .bool(fresh != old)),
                    ("fetch", .object(fetches)), ("drv", .object(derivations)), ("host_path", .object(hostPaths)),
                    ("runtime", .object(runtimes)),
                ]).rendered())
        } else if fresh == old {
            print("\(config.lockPath) is up to date (\(count) input\(count == 1 ? "" : "s") locked)")
        } else {
            print("wrote \(config.lockPath) (\(count) input\(count == 1 ? "" : "s") locked)")
        }
    }
}
