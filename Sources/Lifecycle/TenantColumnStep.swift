/// The five steps of `tenant-column add`, in order, with the names a failure is reported under.
public enum TenantColumnStep: Int, CaseIterable, Comparable, Sendable, Codable {
    case addColumn = 1, fill, check, notNull, index

    public var title: String {
        switch self {
        case .addColumn: return "add the column (and the fill-in for new rows)"
        case .fill: return "fill in batches"
        case .check: return "add and validate the NOT VALID check"
        case .notNull: return "set NOT NULL through the check"
        case .index: return "build the index concurrently"
        }
    }

    /// `step 3 (add and validate the NOT VALID check)`.
    public var label: String { "step \(rawValue) (\(title))" }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A failure of `tenant-column add`, naming the step it stopped at (nil: before anything changed). Every step
/// is idempotent, so running the command again after the cause is gone finishes the work.
public struct TenantColumnError: Error, CustomStringConvertible {
    public var step: TenantColumnStep?
    public var message: String
    /// The server's SQLSTATE when the server refused (55P03: the lock timeout ran out on every try).
    public var sqlState: String?

    public init(step: TenantColumnStep?, message: String, sqlState: String? = nil) {
        self.step = step
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        guard let step else { return message }
        return "\(step.label) failed: \(message)\nnothing is half-done: the steps before it stay done, and running the command again resumes at \(step.label)"
    }
}
