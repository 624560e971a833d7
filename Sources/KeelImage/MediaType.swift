/// The OCI media types an image built here uses.
public enum MediaType {
    /// An image index (`index.json`).
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    /// An image manifest.
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An image configuration.
    public static let imageConfig = "application/vnd.oci.image.config.v1+json"
    /// An uncompressed layer tar (digest equals diff_id).
    public static let layerTar = "application/vnd.oci.image.layer.v1.tar"
    /// A gzip-compressed layer tar.
    public static let layerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// A zstd-compressed layer tar.
    public static let layerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
}
