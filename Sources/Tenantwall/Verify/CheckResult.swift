/// One attempt to cross a wall, as the evidence records it: what was tried, as whom, with which SQL, what
/// was expected and what happened.
public struct CheckResult: Codable, Sendable {
    /// Stable id of the kind of check, e.g. `select-own-rows`, `insert-other-tenant` (README lists them).
    public var id: String
    public var table: String
    public var role: String
    /// The acting tenant's label (`A`, `B`, …), `none`, `empty`, `malformed`, or `-`.
    public var tenant: String
    /// SELECT, INSERT, UPDATE, DELETE, COPY, TRUNCATE, ADMIN, CONTEXT, ROLE or CATALOG.
    public var command: String
    public var title: String
    public var sql: String
    public var expected: String
    public var actual: String
    public var passed: Bool
    /// True when the check could not run (e.g. nothing to try); a skipped check is not a failure.
    public var skipped: Bool = false
    /// The check as a pgTAP block (`verify --emit-pgtap`): the same statements as the same role and context,
    /// and the same pass condition in SQL.
    public var tap: String? = nil

    /// Short names used by the demo and tests.
    public var check: String { title }
    public var detail: String { actual }
}

/// Everything one `verify` run found, with what it ran against.
public struct VerifyReport: Codable, Sendable {
    public var tool = "tenantwall verify"
    public var startedAt: String
    public var durationMilliseconds: Int
    public var database: String
    public var serverVersion: String
    /// SHA-256 of the catalog snapshot of the objects the spec covers.
    public var databaseFingerprint: String
    /// SHA-256 of the spec files' contents.
    public var specFingerprint: String
    public var specFiles: [String]
    /// Probe tenant labels and the ids they used.
    public var tenants: [String: String]
    public var checks: [CheckResult]
    public var summary: Summary

    public struct Summary: Codable, Sendable {
        public var checks: Int
        public var passed: Int
        public var failed: Int
        public var skipped: Int
        /// `hold` when every wall held, `broken` otherwise.
        public var verdict: String
    }

    public init(startedAt: String, durationMilliseconds: Int, database: String, serverVersion: String, databaseFingerprint: String,
                specFingerprint: String, specFiles: [String], tenants: [String: String], checks: [CheckResult]) {
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.database = database
        self.serverVersion = serverVersion
        self.databaseFingerprint = databaseFingerprint
        self.specFingerprint = specFingerprint
        self.specFiles = specFiles
        self.tenants = tenants
        self.checks = checks
        let failed = checks.filter { !$0.passed && !$0.skipped }.count, skipped = checks.filter(\.skipped).count
        summary = Summary(checks: checks.count, passed: checks.count - failed - skipped, failed: failed, skipped: skipped, verdict: failed == 0 ? "hold" : "broken")
    }

    public var failed: [CheckResult] { checks.filter { !$0.passed && !$0.skipped } }
    public var passedCount: Int { checks.filter { $0.passed && !$0.skipped }.count }
    public var skippedCount: Int { checks.filter(\.skipped).count }
}
