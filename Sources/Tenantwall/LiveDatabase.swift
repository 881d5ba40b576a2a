import PolicyGen
import Postgres

/// Plan and apply against a live database.
public struct LiveDatabase {
    public let connection: Connection
    /// Bounds how long plan and apply wait for a table lock before failing, so a busy table fails fast.
    public var lockTimeout = "5s"

    public init(connection: Connection) { self.connection = connection }

    public func snapshot(_ spec: Spec) throws -> CatalogSnapshot {
        CatalogSnapshot(rows: try connection.query(CatalogQuery.sql, CatalogQuery.parameters(for: spec)).rows)
    }

    /// Compares the database with the spec without changing it: the generated SQL runs in a transaction
    /// that is always rolled back, and the catalog is read before and inside it.
    public func plan(_ spec: Spec) throws -> Plan {
        let generator = Generator(spec: spec)
        let script = generator.script()
        let live = try snapshot(spec)
        let desired: CatalogSnapshot = try connection.rolledBack {
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
            try runScript(script)
            return try snapshot(spec)
        }
        _ = connection.takeNotices()
        return Planner.plan(generator: generator, live: live, desired: desired)
    }

    /// Runs the plan in one transaction; returns it (empty when already in sync).
    @discardableResult
    public func apply(_ spec: Spec) throws -> Plan {
        let plan = try plan(spec)
        guard !plan.isEmpty else { return plan }
        try connection.transaction {
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
            try runScript(plan.script(header: ["tenantwall apply"]))
        }
        return plan
    }

    /// Runs a script, keeping the server's error position meaningful for the script as a whole.
    func runScript(_ script: String) throws {
        try connection.execute(script)
    }
}
