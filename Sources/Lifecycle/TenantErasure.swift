import Catalog
import Foundation
import Identity
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// `tenant remove --delete-data`: every row export finds (`TenantDataPlan`), plus the rows the walls hide from
/// the tenant itself, deleted in one transaction, children before parents, as the connecting role; then the
/// provisioning record (`Provisioning.remove`) in the same transaction. With `dryRun` the same runs and is
/// rolled back, so the counts are the real ones.
///
/// What stays is said, not hidden: the `tenant_events` record of the removal itself, the change trail (its entries
/// are append-only; `redactTrail` empties their values through the audited `trail_redact`, in the same transaction,
/// and the chain still verifies), materialized views and continuous aggregates that still hold the tenant's rows
/// until their next refresh, and backups. The deletes themselves are not trailed: the trail records the
/// application's roles, not a superuser's or the owner's (docs/lifecycle.md).
public struct TenantErasure {
    let spec: Spec
    let connection: Connection

    public init(spec: Spec, connection: Connection) {
        self.spec = spec
        self.connection = connection
    }

    public func run(tenant id: String, dryRun: Bool, redactTrail: Bool = false) throws -> ErasureCertificate {
        let started = Date()
        let catalog = try CatalogReader.read(connection)
        let plan = TenantDataPlan(spec: spec, catalog: catalog)
        let tenant = SQL.literal(id) + "::" + spec.tenancy.type.rawValue
        var deleted: [ErasureCertificate.Deleted] = []
        let provisioning = Provisioning(spec: spec, connection: connection)
        try provisioning.remove(id: id, rollBack: dryRun) {
            for entry in plan.entries.reversed() {
                deleted.append(.init(table: entry.qualified, rows: try connection.query(plan.delete(entry, tenant: tenant)).affectedRows, reach: TenantExport.describe(entry.reach)))
            }
            if redactTrail && spec.hasTrail {
                let redact = TrailNames(spec: spec).redact
                _ = try connection.query("SELECT \(redact)(\(tenant), 'tenant remove --delete-data --redact-trail')")
            }
            return Dictionary(uniqueKeysWithValues: deleted.map { ($0.table, $0.rows) })
        }
        let remaining = try remainder(id, catalog: catalog, dryRun: dryRun) + trailRemainder(id, redacted: redactTrail && !dryRun, dryRun: dryRun)
        let stamp = ISO8601DateFormatter()
        return ErasureCertificate(tenant: id, dryRun: dryRun, spec: try SpecFingerprint.of(spec), database: connection.settings.database,
                                  startedAt: stamp.string(from: started), finishedAt: stamp.string(from: Date()), deleted: deleted, remaining: remaining)
    }

    /// What the erasure leaves, counted once its transaction has ended: the views hold the same rows whether it
    /// committed or was a dry run, until they are refreshed.
    func remainder(_ id: String, catalog: DatabaseCatalog, dryRun: Bool) throws -> [ErasureCertificate.Remaining] {
        var result: [ErasureCertificate.Remaining] = [
            .init(what: "the record of this removal", where: spec.tenancy.helperSchema + ".tenant_events", rows: nil,
                  why: "tenantwall records every tenant add and removal with the tenant id, who and when; it holds no row of the tenant's tables"),
        ]
        let column = spec.tenancy.column, type = spec.tenancy.type.rawValue
        let aggregates = Set(catalog.continuousAggregates.keys)
        for view in catalog.tables where (view.kind == "m" || aggregates.contains(view.qualified)) && view.columns.contains(column) {
            let count = "SELECT count(*) FROM \(SQL.qualified(view.schema, view.name)) WHERE \(SQL.ident(column)) = $1::\(type)"
            let rows = view.populated ? Int(try connection.query(count, [id]).scalar ?? "") : 0
            let kind = aggregates.contains(view.qualified) ? "continuous aggregate" : "materialized view"
            result.append(.init(what: "rows derived from the tenant's data (\(kind))", where: view.qualified, rows: rows,
                                why: "a \(kind) keeps what it computed until its next refresh; refresh it to remove them"))
        }
        result.append(.init(what: "backups and WAL archives", where: "outside the database", rows: nil,
                            why: "copies taken before the erasure keep the tenant's rows until they expire under the backup retention policy"))
        return result
    }

    /// The tenant's change-trail entries (`audit_trail:`): how many stay, and how many still hold values.
    func trailRemainder(_ id: String, redacted: Bool, dryRun: Bool) throws -> [ErasureCertificate.Remaining] {
        guard spec.hasTrail else { return [] }
        let names = TrailNames(spec: spec)
        guard try connection.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [names.table]).flag else { return [] }
        let counts = try connection.query("SELECT count(*)::text, count(*) FILTER (WHERE old IS NOT NULL OR new IS NOT NULL)::text FROM \(names.table) WHERE \(SQL.ident(names.tenantColumn)) = $1::\(names.tenantType)", [id]).rows[0]
        let entries = Int(counts[0] ?? "") ?? 0, withValues = Int(counts[1] ?? "") ?? 0
        let why = redacted
            ? "the change trail is append-only: its entries stay with their old and new values emptied by trail_redact (recorded in tenant_events), \(withValues) still holding values; who changed which row and when stays, and the hash chain still verifies"
            : "the change trail is append-only and keeps the old and new values of the trailed columns (\(withValues) entries hold values)\(dryRun ? "" : "; tenant remove --delete-data --redact-trail empties them")"
        return [.init(what: "the tenant's change trail", where: spec.trailSchema + ".change_trail", rows: entries, why: why)]
    }
}
