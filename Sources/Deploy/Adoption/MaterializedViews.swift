import PolicyGen
import Postgres
import Quoting

/// Materialized views the database already has over the spec's tenant tables, outside tenantwall's private
/// rollup schema. PostgreSQL applies no row-level security to them, so whichever role may read one reads every
/// tenant's rows however the tables are walled: the plan says so, with the rollup that replaces it. A rollup
/// the spec declares under the same name cannot be made while the materialized view is there (its walled view
/// takes that name): that is a blocker, since dropping it would break whatever refreshes it by name.
enum MaterializedViews {
    static func report(_ connection: Connection, spec: Spec, dependents: Dependents) throws -> (effects: [String], blockers: [String]) {
        let tenantTables = Set(spec.tables.filter { $0.isolation == .tenant }.map(\.qualifiedName))
        let privateSchema = Rollup.privateSchema(tenancy: spec.tenancy)
        var effects: [String] = [], blockers: [String] = []
        for view in dependents.views where view.kind == "materialized view" && !view.name.hasPrefix(privateSchema + ".") {
            let sources = view.reads.filter(tenantTables.contains)
            guard let source = sources.first else { continue }
            // Roles the spec names that exist yet (an adopted database may lack the admin role until apply).
            let readers = try connection.query("""
                SELECT r FROM unnest($1::text[]) WITH ORDINALITY AS u(r, i)
                WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = u.r) THEN pg_catalog.has_table_privilege(u.r, $2, 'SELECT') ELSE false END ORDER BY i
                """, [SQL.textArray(uniqued(spec.roles.accessRoles).filter { $0 != view.owner }), view.name]).rows.compactMap { $0[0] }
            let name = view.name.split(separator: ".").last.map(String.init) ?? view.name
            let schema = view.name.split(separator: ".").first.map(String.init) ?? "public"
            if let rollup = spec.rollups.first(where: { $0.qualifiedName == view.name }) {
                blockers.append("materialized view \(view.name) (owner \(view.owner)) is where rollup \(rollup.qualifiedName)'s walled view goes: "
                                + "drop it (and refresh with \(spec.tenancy.helperSchema).refresh_rollups() instead of by its name) before applying")
            } else if !readers.isEmpty {
                effects.append("materialized view \(view.name) reads \(sources.joined(separator: ", ")) and applies no RLS: \(readers.joined(separator: ", ")) still read every tenant's rows through it; "
                               + "replace it with a rollup (rollups: - {name: \(name), schema: \(schema), source: \(source), group_by: …, aggregates: …}), whose walled view takes its name")
            }
        }
        return (effects, blockers)
    }
}
