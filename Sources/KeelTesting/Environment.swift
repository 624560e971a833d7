import Foundation

/// Reads this process's environment.
public enum Environment {
    /// The value of `name`, if set.
    public static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}
