/// Test vectors from spec/nix-formats.md, shared by the test targets.
public enum SpecVectors {
    /// The throwaway secret key of §5.4 (it protects nothing).
    public static let secretKey =
        "test-cache-1:cOdRYmd+7A3sTxTe8rux/VQw9Y72Nl5rfp6uSV0UvUJ8+hFAx/yRbGVHeHKx+fSNmQsyqmMtYmexS72a2XdvWA=="
    /// Its public key.
    public static let publicKey = "test-cache-1:fPoRQMf8kWxlR3hysfn0jZkLMqpjLWJnsUu9mtl3b1g="
    /// Nix's signature of `narinfo`'s fingerprint with that key.
    public static let signature =
        "test-cache-1:/p+GXRPP6e7g7F0wQnBz2Mblv8rwaZgAtidbZLvOt2b1Tx1sRJu0acgTQQ3WC5iAKD6s0BkMV7+FFmR0GRihAQ=="
    /// A narinfo written by Nix 2.8 (§5.3).
    public static let narinfo = """
        StorePath: /nix/store/8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep
        URL: nar/0hwvc4iadsgx4m4w1ky1f5jbz34dg6m15wzdp0kkwfgjrqpi8715.nar.xz
        Compression: xz
        FileHash: sha256:0hwvc4iadsgx4m4w1ky1f5jbz34dg6m15wzdp0kkwfgjrqpi8715
        FileSize: 308
        NarHash: sha256:0gddyix3rm2pwa91h0c4lgn0vybaax59ljsd5y8npzl3wy96pn1j
        NarSize: 808
        References: 4y77d79x9mqd8rvfxy8swfv68qn205vb-dep-dev 8nnk8h887pfkfd2dbvlhw4mrws352dbf-dep mfxcg50dkil46c9672za69mc0v3ss4k1-fod-flat
        Deriver: 665n0n6jb4c85andkixjndpgam1kxvr7-dep.drv
        Sig: \(signature)

        """
}
