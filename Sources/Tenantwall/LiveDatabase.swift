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

    /// Citus: whether each distributed table's shard placements carry its walls ("shards <table>"). Read outside
    /// the plan's transaction: Citus reads placements over connections of its own.
    func placements(_ spec: Spec) throws -> [String: String] {
        guard spec.tenancy.citus, try CitusPlacements.installed(connection) else { return [:] }
        var out: [String: String] = [:]
        for table in try CitusPlacements.distributedTables(connection, spec: spec) {
            out["shards " + table.qualifiedName] = try CitusPlacements.state(connection, table: SQL.qualified(table.schema, table.name))
        }
        return out
    }

    /// Compares the database with the spec without changing it: the generated SQL runs in a transaction
    /// that is always rolled back, and the catalog is read before and inside it.
    public func plan(_ spec: Spec) throws -> Plan {
        try ServerCapabilities(connection: connection).require(spec)
        let generator = Generator(spec: spec)
        var live = try snapshot(spec)
        let shards = try placements(spec)
        live.objects.merge(shards) { $1 }
        let desired: CatalogSnapshot = try connection.rolledBack {
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
            try run(generator.sections().flatMap(\.statements))
            return try snapshot(spec)
        }
        _ = connection.takeNotices()
        var wanted = desired
        for key in shards.keys { wanted.objects[key] = CitusPlacements.consistent }
        return Planner.plan(generator: generator, live: live, desired: wanted)
    }

    /// Runs the plan in one transaction; returns it (empty when already in sync).
    @discardableResult
    public func apply(_ spec: Spec) throws -> Plan {
        let plan = try plan(spec)
        guard !plan.isEmpty else { return plan }
        try connection.transaction {
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
            try run(plan.statements)
        }
        return plan
    }

    /// Runs statements one by one, so a failure names the object and the statement it came from.
    func run(_ statements: [Statement]) throws {
        for statement in statements {
            do {
                try connection.execute(statement.sql)
            } catch let error as PostgresError {
                throw StatementError(object: statement.object.description, underlying: error)
            }
        }
    }
}

/// A server error while applying one generated statement: the server's error (SQLSTATE, message, position
/// within the statement) and which object the statement was for.
public struct StatementError: Error, CustomStringConvertible {
    public var object: String
    public var underlying: PostgresError

    public var description: String {
        var text = underlying.description + "\nwhile applying \(object)"
        if let query = underlying.query, underlying.position == nil { text += ":\n" + query }
        return text
    }
}
