import ArgumentParser
import KeelImage

// The image options' values, parsed by their raw values (`oci-dir`, `gzip`…).
extension ImageFormat: ExpressibleByArgument {}
extension LayerCompression: ExpressibleByArgument {}
extension LayerGrouping: ExpressibleByArgument {}
