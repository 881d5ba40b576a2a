import Catalog
import Citus
import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Plan and apply against a live database.
public struct LiveDatabase {
    public let connection: Connection
    /// Bounds how long plan and apply wait for a table lock before failing, so a busy table fails fast.
    public var lockTimeout = "5s"

    public init(connection: Connection) { self.connection = connection }

    /// Plan's fingerprints of what the spec manages, from one read of the catalog in a read-only transaction of
    /// its own.
    public func snapshot(_ spec: Spec) throws -> CatalogSnapshot {
        CatalogSnapshot(catalog: try CatalogReader.read(connection), spec: spec)
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
    /// that is always rolled back, and the catalog is read before and inside it. Before and inside, it also reads
    /// what each role can reach and whether each view over the tables still sees rows as its owner, so the plan
    /// says what changes for people and jobs, and blocks what would break in silence.
    ///
    /// - Parameter catalog: the live catalog when the caller has read it already (audit reads it once for its
    ///   rules and this drift); read here otherwise.
    public func plan(_ spec: Spec, catalog: DatabaseCatalog? = nil) throws -> Plan {
        try ServerCapabilities(connection: connection).require(spec)
        let liveCatalog = try catalog ?? CatalogReader.read(connection)
        let shape = LiveShape(catalog: liveCatalog, spec: spec)
        let generator = Generator(spec: spec, live: shape)
        var live = CatalogSnapshot(catalog: liveCatalog, spec: spec)
        let shards = try placements(spec)
        live.objects.merge(shards) { $1 }
        live.objects.merge(try TrailFingerprint.read(connection, spec: spec)) { $1 }
        let accessBefore = try AccessMatrix.read(connection, spec: spec)
        let dependents = try Dependents.read(connection, spec: spec)
        let seenBefore: [String: Bool] = try connection.rolledBack {
            Dictionary(uniqueKeysWithValues: dependents.views.compactMap { v in Dependents.seesRows(connection, v).map { (v.name, $0) } })
        }
        let setters = try LegacySetters.read(connection, spec: spec)
        let moves = try WalledMoves.read(connection, spec: spec, dependents: dependents)
        // A materialized view where a rollup's walled view goes: the generated SQL cannot run until it is gone.
        let materialized = try MaterializedViews.report(connection, spec: spec, dependents: dependents)
        guard materialized.blockers.isEmpty else {
            var plan = Plan(differences: [], statements: [])
            plan.effects = materialized.effects
            plan.blockers = materialized.blockers
            return plan
        }
        struct After { var snapshot: CatalogSnapshot; var access: AccessMatrix; var seen: [String: Bool]; var columns: [String]; var settings: Set<String> }
        let after: After = try connection.rolledBack {
            try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
            let columns = try ColumnCheck.problems(connection, spec: spec, existing: shape.tables)
            try run(generator.sections().flatMap(\.statements))
            let seen = Dictionary(uniqueKeysWithValues: dependents.views.compactMap { v in Dependents.seesRows(connection, v).map { (v.name, $0) } })
            // The catalog as the generated SQL left it: read inside this transaction, before it is rolled back.
            let catalog = try CatalogReader.readInCurrentTransaction(connection)
            var snapshot = CatalogSnapshot(catalog: catalog, spec: spec)
            snapshot.objects.merge(try TrailFingerprint.read(connection, spec: spec)) { $1 }
            return After(snapshot: snapshot, access: try AccessMatrix.read(connection, spec: spec, also: accessBefore.roles),
                         seen: seen, columns: columns, settings: Self.settingsReadByPolicies(spec, catalog: catalog))
        }
        _ = connection.takeNotices()
        var wanted = after.snapshot
        for key in shards.keys { wanted.objects[key] = CitusPlacements.consistent }
        var plan = Planner.plan(generator: generator, live: live, desired: wanted)
        plan.effects = AccessMatrix.changes(before: accessBefore, after: after.access)
            + LegacySetters.effects(setters, spec: spec, readAfter: after.settings) + materialized.effects + moves.effects
        plan.blockers = after.columns
            + Dependents.blockers(before: seenBefore, after: after.seen, dependents: dependents, access: (accessBefore, after.access))
            + rolesLosingEverything(spec, before: accessBefore, after: after.access) + moves.blockers
        return plan
    }

    /// Roles the spec does not name that reach rows today and would reach none: a service or a job's role whose
    /// grants stay while no policy names it. Naming it in the spec (or revoking its grants first) is a decision.
    func rolesLosingEverything(_ spec: Spec, before: AccessMatrix, after: AccessMatrix) -> [String] {
        let named = Set([spec.roles.owner] + spec.roles.accessRoles + spec.roles.adminMembers)
        var lost: [String: [String]] = [:]
        for (entry, reach) in before.reach where !named.contains(entry.role) && AccessMatrix.reachesRows(reach) && !AccessMatrix.reachesRows(after.reach[entry]) {
            lost["\(entry.role) on \(entry.table)", default: []].append(entry.command)
        }
        return lost.keys.sorted().map { key in
            let commands = lost[key]!.sorted { AccessMatrix.Entry.order($0) < AccessMatrix.Entry.order($1) }
            return "\(key): \(commands.joined(separator: ", ")) would reach no row after this change, and the spec does not name the role; name it (roles.app, readonly or admin_members, with grants) or revoke its grants first"
        }
    }

    /// The custom settings the spec's tables' policies read (by name: a quoted `prefix.name` in a policy
    /// expression), in the catalog read inside the plan's transaction.
    static func settingsReadByPolicies(_ spec: Spec, catalog: DatabaseCatalog) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"'([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)'"#)
        var settings: Set<String> = [spec.tenancy.setting]  // policies that call tenantwall's reader read it through it
        for table in spec.tables.compactMap({ catalog.table($0.qualifiedName) }) {
            for policy in catalog.policies(on: table) {
                let text = (policy.using ?? "") + " " + (policy.check ?? "")
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let range = Range(match.range(at: 1), in: text) { settings.insert(String(text[range])) }
                }
            }
        }
        return settings
    }

    /// Runs the plan: the transaction, then the index builds one statement at a time (CONCURRENTLY), with the
    /// partitions as they are once the transaction has committed. Refuses, changing nothing, when the plan has
    /// blockers. Returns the plan (empty when already in sync).
    @discardableResult
    public func apply(_ spec: Spec) throws -> Plan {
        try installTimescaleForAggregates(spec)
        let plan = try plan(spec)
        guard plan.blockers.isEmpty else { throw ApplyBlocked(blockers: plan.blockers) }
        guard !plan.isEmpty else { return plan }
        if !plan.statements.isEmpty {
            try connection.transaction {
                try connection.execute("SET LOCAL lock_timeout = \(SQL.literal(lockTimeout))")
                try run(plan.statements)
            }
        }
        if !plan.indexStatements.isEmpty {
            // Partitions the transaction made get their index built too: the statements are made again from the
            // partitions as they are now, for the indexes the plan found missing.
            let missing = Set(plan.indexStatements.map(\.object))
            let now = Generator(spec: spec, live: try LiveShape.read(connection, spec: spec)).indexSection().statements.filter { missing.contains($0.object) }
            try connection.execute("SET lock_timeout = \(SQL.literal(lockTimeout))")
            defer { _ = try? connection.execute("RESET lock_timeout") }
            try run(now)
        }
        return plan
    }

    /// TimescaleDB installed, committed, before plan's rolled-back run when the spec has continuous aggregates:
    /// on 2.28.3 a backend that created the extension in a transaction that rolled back keeps a stale cache of
    /// its functions, and `CREATE MATERIALIZED VIEW … WITH (timescaledb.continuous)` then fails in the next
    /// transaction ("must include a valid time bucket function"). Checked with psql on PostgreSQL 15.
    func installTimescaleForAggregates(_ spec: Spec) throws {
        guard spec.tables.contains(where: { $0.hypertable?.continuousAggregates.isEmpty == false }),
              try connection.query("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'").scalar == "0",
              try ServerCapabilities(connection: connection).available("timescaledb") else { return }
        try connection.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
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

/// `apply` refused before changing anything: the plan has blockers (docs/adopt.md).
public struct ApplyBlocked: Error, CustomStringConvertible {
    public var blockers: [String]
    public var description: String {
        "refused: nothing was changed, because this change would break what the database holds or does:\n" + blockers.map { "  - " + $0 }.joined(separator: "\n")
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
