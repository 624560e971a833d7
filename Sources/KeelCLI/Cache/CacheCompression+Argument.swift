import ArgumentParser
import KeelCache

/// `--compression none|xz|zstd`.
extension CacheCompression: ExpressibleByArgument {}
