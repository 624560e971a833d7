import ArgumentParser

/// `keel store`: store paths and the local store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Compute store paths and work with the local store.",
        subcommands: [
            StorePathOf.self, StoreAdd.self, StoreInfo.self, StoreClosure.self, StoreReferrers.self, StoreExport.self,
            StoreImport.self, StoreGC.self, StoreDelete.self, StoreVerify.self, StoreAddNAR.self, StoreOptimise.self,
            StoreAdopt.self, StoreServe.self,
        ]
    )
}
