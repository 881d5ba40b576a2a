/// One attempt to cross a wall, as the evidence records it: what was tried, as whom, with which SQL, what
/// was expected and what happened.
///
/// Its outcome (`status`) is one of four: the wall held, it failed, the check did not apply (skipped, a note),
/// or the table could not be probed at all (its probe rows could not be written, so none of its walls was
/// tried). The last is neither a pass nor a failure: counted on its own, and a run with one does not prove
/// the walls hold.
public struct CheckResult: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case passed, failed, skipped
        case notProbed = "not_probed"
    }

    /// Stable id of the kind of check, e.g. `select-own-rows`, `insert-other-tenant` (docs/verify.md lists them).
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
    /// True when the table could not be probed (`actual` says why): not a pass, not a failure.
    public var notProbed: Bool = false
    /// The check as a pgTAP block (`verify --emit-pgtap`): the same statements as the same role and context,
    /// and the same pass condition in SQL.
    public var tap: String? = nil

    public var status: Status { notProbed ? .notProbed : skipped ? .skipped : passed ? .passed : .failed }

    public init(id: String, table: String, role: String, tenant: String, command: String, title: String, sql: String,
                expected: String, actual: String, passed: Bool) {
        self.id = id
        self.table = table
        self.role = role
        self.tenant = tenant
        self.command = command
        self.title = title
        self.sql = sql
        self.expected = expected
        self.actual = actual
        self.passed = passed
    }

    /// A table whose probe rows could not be written: the statement that failed and the server's reason
    /// (SQLSTATE and message).
    static func notProbed(table: String, sql: String, reason: String) -> CheckResult {
        var result = CheckResult(id: "seed", table: table, role: "-", tenant: "-", command: "INSERT",
                                 title: "\(table) could not be probed: its probe rows could not be written", sql: sql,
                                 expected: "probe rows written (then rolled back)", actual: "could not probe: " + reason, passed: false)
        result.notProbed = true
        return result
    }

    // JSON: `passed` and `skipped` as before, and `status` (`passed`, `failed`, `skipped`, `not_probed`);
    // reports written before `status` existed still read.
    enum CodingKeys: String, CodingKey {
        case id, table, role, tenant, command, title, sql, expected, actual, passed, skipped, status, tap
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), table: try c.decode(String.self, forKey: .table),
                  role: try c.decode(String.self, forKey: .role), tenant: try c.decode(String.self, forKey: .tenant),
                  command: try c.decode(String.self, forKey: .command), title: try c.decode(String.self, forKey: .title),
                  sql: try c.decode(String.self, forKey: .sql), expected: try c.decode(String.self, forKey: .expected),
                  actual: try c.decode(String.self, forKey: .actual), passed: try c.decode(Bool.self, forKey: .passed))
        skipped = try c.decodeIfPresent(Bool.self, forKey: .skipped) ?? false
        notProbed = try c.decodeIfPresent(Status.self, forKey: .status) == .notProbed
        tap = try c.decodeIfPresent(String.self, forKey: .tap)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(table, forKey: .table)
        try c.encode(role, forKey: .role)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(command, forKey: .command)
        try c.encode(title, forKey: .title)
        try c.encode(sql, forKey: .sql)
        try c.encode(expected, forKey: .expected)
        try c.encode(actual, forKey: .actual)
        try c.encode(passed, forKey: .passed)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(tap, forKey: .tap)
    }

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
        /// Tables that could not be probed (one result each); absent in reports written before it existed.
        public var notProbed: Int = 0
        /// `hold` when every wall held, `broken` when a check failed, `incomplete` when none failed but a
        /// table could not be probed (its walls are unproven).
        public var verdict: String

        public init(checks: Int, passed: Int, failed: Int, skipped: Int, notProbed: Int, verdict: String) {
            self.checks = checks
            self.passed = passed
            self.failed = failed
            self.skipped = skipped
            self.notProbed = notProbed
            self.verdict = verdict
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(checks: try c.decode(Int.self, forKey: .checks), passed: try c.decode(Int.self, forKey: .passed),
                      failed: try c.decode(Int.self, forKey: .failed), skipped: try c.decode(Int.self, forKey: .skipped),
                      notProbed: try c.decodeIfPresent(Int.self, forKey: .notProbed) ?? 0, verdict: try c.decode(String.self, forKey: .verdict))
        }
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
        let failed = checks.filter { $0.status == .failed }.count, skipped = checks.filter { $0.status == .skipped }.count
        let notProbed = checks.filter { $0.status == .notProbed }.count
        summary = Summary(checks: checks.count, passed: checks.count - failed - skipped - notProbed, failed: failed, skipped: skipped,
                          notProbed: notProbed, verdict: failed > 0 ? "broken" : notProbed > 0 ? "incomplete" : "hold")
    }

    public var failed: [CheckResult] { checks.filter { $0.status == .failed } }
    /// One result per table that could not be probed, with the reason.
    public var notProbed: [CheckResult] { checks.filter { $0.status == .notProbed } }
    public var passedCount: Int { checks.filter { $0.status == .passed }.count }
    public var skippedCount: Int { checks.filter { $0.status == .skipped }.count }
    /// What keeps the run from proving the walls: failed checks, then tables that could not be probed.
    public var unproven: [CheckResult] { failed + notProbed }
    /// Every wall was tried and held: no failure and no table left unprobed.
    public var holds: Bool { unproven.isEmpty }
}
