import PolicyGen
import Postgres
import Quoting

/// A wall view as the catalog has it: the walled form's only wall between a tenant and the rows behind it (a
/// walled table's storage, a continuous aggregate). What makes it one, each said on its own when missing: it is
/// a view, `security_barrier` (so a function in the session's WHERE cannot see rows the filter drops), it reads
/// the relation it walls, its WHERE compares the tenant column with the tenant reader, and, where it takes
/// writes, `WITH CHECK OPTION` (so a row written through it must be one it shows). The probes then show what
/// the view actually lets through; this says why, in the catalog's words.
struct WallViewShape {
    var kind: String?
    var options: String
    var definition: String
    var readsSource: Bool

    /// The SQL that reads the shape (the evidence a report shows): `$1` the view, `$2` the relation behind it.
    static let sql = """
        SELECT c.relkind::text AS kind, COALESCE(c.reloptions::text, '') AS options,
               CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '' END AS definition,
               EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite AS r JOIN pg_catalog.pg_depend AS d
                       ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                       WHERE r.ev_class = c.oid AND d.refobjid = pg_catalog.to_regclass($2)) AS reads_source
        FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.to_regclass($1)
        """

    /// The view's shape; nil when there is no relation of that name.
    static func read(_ db: Connection, view: String, source: String) throws -> WallViewShape? {
        guard let row = try db.query(sql, [view, source]).named.first else { return nil }
        return WallViewShape(kind: row["kind"] ?? nil, options: row["options"] ?? "", definition: row["definition"] ?? "",
                             readsSource: row.bool("reads_source"))
    }

    /// What keeps `view` from being the wall over `source`, one reason each; empty when it is one.
    static func problems(_ db: Connection, view: String, source: String, scopeColumn: String, helperSchema: String, checkOption: Bool) throws -> [String] {
        guard let shape = try read(db, view: view, source: source) else { return ["\(view) is missing"] }
        guard shape.kind == "v" else { return ["\(view) is not a view (relkind \(shape.kind ?? "?"))"] }
        var out: [String] = []
        if !shape.options.contains("security_barrier=true") { out.append("not security_barrier") }
        if !shape.readsSource { out.append("does not read \(source)") }
        if !shape.hasTenantFilter(scopeColumn: scopeColumn) {
            out.append("no tenant filter (a WHERE comparing \(scopeColumn) with \(helperSchema).current_tenant_id() or required_tenant_id())")
        }
        if checkOption && !shape.options.contains("check_option=") { out.append("no WITH CHECK OPTION (a write through it may be another tenant's row)") }
        return out
    }

    /// Whether the definition's WHERE names the tenant column and a tenant reader (`pg_get_viewdef` qualifies
    /// the helper schema only where the search path does not reach it, so the reader is matched by name). A
    /// filter that names them and still lets rows through is what the probes find.
    func hasTenantFilter(scopeColumn: String) -> Bool {
        guard let at = definition.range(of: "WHERE", options: .caseInsensitive) else { return false }
        let filter = definition[at.upperBound...]
        return filter.contains(scopeColumn) && ["current_tenant_id(", "required_tenant_id("].contains { filter.contains($0) }
    }
}
