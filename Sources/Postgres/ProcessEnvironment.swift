import Foundation

public enum ProcessEnvironment {
    /// The environment of this process; a parameter elsewhere so tests can pass their own.
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
}
