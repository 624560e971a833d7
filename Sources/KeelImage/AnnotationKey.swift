/// Descriptor annotation keys that image tools read.
public enum AnnotationKey {
    /// The tag of a manifest in an image layout's index (skopeo `oci:DIR:REF`, umoci `DIR:REF`).
    public static let referenceName = "org.opencontainers.image.ref.name"
    /// The full image reference (`example.com/app:1.0`); podman names a loaded image after it.
    public static let containerdImageName = "io.containerd.image.name"
}
