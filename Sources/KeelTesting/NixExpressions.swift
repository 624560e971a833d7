/// Nix expressions the oracle tests build.
public enum NixExpressions {
    /// A small closure with every kind of reference: `top` refers to both outputs of `multi`
    /// and to itself; `multi` refers to `dep` and to itself; `multi.dev` refers to `multi`.
    /// Builders use only shell built-ins, so they run with the host's `/bin/sh` or busybox.
    public static let closure = #"""
        rec {
          dep = derivation { name = "dep"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo dep > $out" ]; };
          multi = derivation {
            name = "multi"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ];
            args = [ "-c" "echo ${dep} $out > $out; echo $out > $dev" ];
          };
          top = derivation {
            name = "top"; system = "x86_64-linux"; builder = "/bin/sh";
            args = [ "-c" "echo ${multi.dev} ${multi} $out > $out" ];
          };
        }
        """#
}
