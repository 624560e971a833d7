import KeelFormats

extension HashFormatOptions {
    /// The chosen algorithm (validated).
    var algorithm: HashAlgorithm { HashAlgorithm(rawValue: algorithmName)! }

    /// Prints a hash as the flags ask.
    func render(_ hash: NixHash) -> String {
        if base32 { return hash.nixBase32 }
        if base16 { return hash.base16 }
        return hash.sri
    }
}
