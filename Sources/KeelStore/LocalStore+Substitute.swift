extension LocalStore {
    /// Starts a batch of paths restored from NARs (`SubstitutionStaging.stage`) and registered
    /// together (`commit`), as `importPaths` does for an export stream. Holds off garbage
    /// collection until the batch is committed or abandoned.
    public func beginSubstitution() throws(StoreError) -> SubstitutionStaging {
        try SubstitutionStaging(store: self)
    }
}
