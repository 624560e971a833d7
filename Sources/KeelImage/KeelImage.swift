/// OCI images from store-path closures: layered, bit-for-bit reproducible image layouts and
/// archives that Docker, podman, skopeo, umoci and Kubernetes accept.
public enum KeelImage {}
