#if canImport(Glibc)
    import Glibc
#endif

/// Reading the agent's environment.
enum TestAgentEnvironment {
    /// The value of variable `name`, or nil when it is not set.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
