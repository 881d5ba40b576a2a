import PolicyGen
import Quoting

/// TW115: materialized views never apply RLS when read.
///
/// One that only its owner can read (a tenantwall rollup's, in `<helper_schema>_rollups`, read through its
/// walled view) is no finding: the wall is the view in front of it. One that another role or PUBLIC can read
/// is, and its fix is that walled form: the materialized view moves to a private schema no reader can use,
/// and a `security_barrier` view of the same name, filtered by the tenant reader, takes its place for the
/// same readers. (A function that refreshes it by its old name must name the new one; `rollups:` in the
/// spec makes the same form with its own refresh.)
public struct MaterializedViewOverProtected: AuditRule {
    public let id = "TW115", name = "materialized-view-over-protected", severity = Severity.error
    public let title = "materialized view over a protected table"
    public let explanation = "A materialized view stores what its owner saw at refresh time; reading it applies no policy, so it holds every tenant's rows."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        return catalog.tables.filter { $0.kind == "m" }.compactMap { view in
            let sources = catalog.dependencies.filter { $0.view == view.qualified && protected.contains($0.table) }.map(\.table)
            let readers = catalog.grantees(view, privilege: "SELECT").filter { $0 != view.owner }
            guard !sources.isEmpty, !readers.isEmpty else { return nil }
            return finding("materialized view \(view.qualified) holds rows of \(sources.joined(separator: ", ")) without any policy, readable by \(readers.joined(separator: ", "))",
                           at: .object("view", view.qualified), fix: fix(view, readers: readers, input))
        }
    }

    /// The walled form, as SQL; a revoke alone when the materialized view has no tenant column to filter by.
    func fix(_ view: AuditCatalog.Table, readers: [String], _ input: AuditInput) -> String {
        let grantees = readers.map { $0 == "PUBLIC" ? "PUBLIC" : SQL.ident($0) }.joined(separator: ", ")
        guard view.columns.contains(input.tenantColumn) else {
            return "REVOKE SELECT ON \(Fix.table(view.qualified)) FROM \(grantees);"
        }
        let helpers = input.spec?.tenancy.helperSchema ?? "tenantwall"
        let hidden = SQL.qualified(helpers + "_rollups", view.name), shown = Fix.table(view.qualified)
        return [
            "CREATE SCHEMA IF NOT EXISTS \(SQL.ident(helpers + "_rollups")) AUTHORIZATION \(SQL.ident(view.owner))",
            "REVOKE ALL ON SCHEMA \(SQL.ident(helpers + "_rollups")) FROM PUBLIC",
            "ALTER MATERIALIZED VIEW \(shown) SET SCHEMA \(SQL.ident(helpers + "_rollups"))",
            "REVOKE ALL ON \(hidden) FROM \(grantees)",
            "CREATE VIEW \(shown) WITH (security_barrier) AS SELECT * FROM \(hidden) WHERE \(SQL.ident(input.tenantColumn)) = (SELECT \(SQL.qualified(helpers, "current_tenant_id"))())",
            "ALTER VIEW \(shown) OWNER TO \(SQL.ident(view.owner))",
            "GRANT SELECT ON \(shown) TO \(grantees)",
        ].joined(separator: "; ") + ";"
    }
}
