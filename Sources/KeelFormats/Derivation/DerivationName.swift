extension Derivation {
    /// The name of the derivation stored at `path`, as Nix takes it: the store path's name
    /// without `.drv`. Nix never reads it from the environment, which need not hold a `name`
    /// (with structured attributes it holds `__json` instead).
    ///
    /// - Throws: `DerivationError.notDerivationFileName` when the name does not end in `.drv`.
    public static func name(of path: StorePath) throws(DerivationError) -> String {
        try name(fromFileName: path.name)
    }

    /// The name of the derivation in a file called `fileName` (a base name, no directory): the
    /// store path name when `fileName` is `HASH-NAME.drv`, else the file name, without `.drv`;
    /// `leaf.drv` gives `leaf`.
    ///
    /// - Throws: `DerivationError.notDerivationFileName` when the name does not end in `.drv`,
    ///   `.invalidName` when what is left cannot name a store path (`NAME.drv` included).
    public static func name(fromFileName fileName: String) throws(DerivationError) -> String {
        let storeName = (try? StorePath(baseName: fileName))?.name ?? fileName
        guard storeName.hasSuffix(".drv") else { throw .notDerivationFileName(fileName) }
        let name = String(storeName.dropLast(4))
        do {
            try StorePath.validateName(name)
            try StorePath.validateName(storeName)
        } catch {
            throw .invalidName(name, error)
        }
        return name
    }
}
