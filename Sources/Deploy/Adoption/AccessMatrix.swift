import PolicyGen
import Postgres
import Quoting

/// What each role can reach in each of the spec's tables, command by command, as PostgreSQL decides it:
/// no privilege; every row (RLS off, BYPASSRLS or superuser, or the owner of a table whose RLS is not forced);
/// no row (RLS on and no permissive policy applies to the role); or the rows its policies admit (the
/// permissive policies' expressions ORed, the restrictive ones ANDed, as the server deparses them).
///
/// Read before a plan's statements and again inside its rolled-back transaction, so that the plan can say,
/// before anything changes, which role, job or refresh would start seeing fewer rows, or none.
struct AccessMatrix: Equatable {
    /// (role, table, command) → reach.
    var reach: [Entry: String]

    struct Entry: Hashable, Comparable {
        var role: String, table: String, command: String
        static func < (a: Entry, b: Entry) -> Bool { (a.role, a.table, order(a.command)) < (b.role, b.table, order(b.command)) }
        static func order(_ command: String) -> Int { ["SELECT", "INSERT", "UPDATE", "DELETE"].firstIndex(of: command) ?? 9 }
    }

    static let noPrivilege = "no privilege"
    static let noRow = "no row (no policy applies to it)"

    /// Whether a reach reads or writes any row.
    static func reachesRows(_ reach: String?) -> Bool {
        guard let reach else { return false }
        return reach != noPrivilege && reach != noRow && reach != "rows where false"
    }

    /// The spec's roles, every other role that holds a privilege on one of its tables (a job's role, an old
    /// service), and `also` (the roles of an earlier reading, so a role whose grants go is still compared):
    /// those are the ones a change can break in silence. Superusers and BYPASSRLS roles see every row whatever
    /// changes, and are left out.
    static func read(_ connection: Connection, spec: Spec, also: [String] = []) throws -> AccessMatrix {
        let roles = uniqued([spec.roles.owner] + spec.roles.accessRoles + spec.roles.adminMembers + also)
        let rows = try connection.query("""
            WITH t AS (
                SELECT c.oid, n.nspname || '.' || c.relname AS q, c.relrowsecurity AS rls, c.relforcerowsecurity AS force, c.relowner, c.relacl
                FROM unnest($1::text[], $2::text[]) AS s(nsp, rel)
                JOIN pg_catalog.pg_namespace AS n ON n.nspname = s.nsp
                JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.rel
            ), r AS (
                SELECT DISTINCT o.oid, o.rolname, o.rolsuper, o.rolbypassrls FROM pg_catalog.pg_roles AS o
                WHERE (o.rolname = ANY ($3::text[]) OR o.oid IN (SELECT a.grantee FROM t CROSS JOIN LATERAL pg_catalog.aclexplode(t.relacl) AS a))
                  AND NOT o.rolsuper AND NOT o.rolbypassrls
            ), cmd AS (
                SELECT * FROM (VALUES ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')) AS v(name, code)
            ), p AS (
                SELECT r.oid AS role, t.oid AS rel, cmd.name,
                       pg_catalog.string_agg('(' || COALESCE(pg_catalog.pg_get_expr(CASE WHEN cmd.name = 'INSERT' THEN COALESCE(pol.polwithcheck, pol.polqual) ELSE pol.polqual END, pol.polrelid), 'true') || ')', ' OR ' ORDER BY pol.polname)
                           FILTER (WHERE pol.polpermissive) AS permissive,
                       pg_catalog.string_agg('(' || COALESCE(pg_catalog.pg_get_expr(CASE WHEN cmd.name = 'INSERT' THEN COALESCE(pol.polwithcheck, pol.polqual) ELSE pol.polqual END, pol.polrelid), 'true') || ')', ' AND ' ORDER BY pol.polname)
                           FILTER (WHERE NOT pol.polpermissive) AS restrictive
                FROM r CROSS JOIN t CROSS JOIN cmd
                JOIN pg_catalog.pg_policy AS pol ON pol.polrelid = t.oid AND pol.polcmd IN ('*', cmd.code)
                     AND EXISTS (SELECT 1 FROM unnest(pol.polroles) AS pr WHERE pr = 0 OR pg_catalog.pg_has_role(r.oid, pr, 'USAGE'))
                GROUP BY 1, 2, 3
            )
            SELECT r.rolname AS role, t.q AS "table", cmd.name AS command,
                   CASE WHEN NOT pg_catalog.has_table_privilege(r.oid, t.oid, cmd.name) THEN 'no privilege'
                        WHEN r.rolsuper OR r.rolbypassrls THEN 'every row (bypasses RLS)'
                        WHEN NOT t.rls THEN 'every row (RLS off)'
                        WHEN pg_catalog.pg_has_role(r.oid, t.relowner, 'USAGE') AND NOT t.force THEN 'every row (owner, RLS not forced)'
                        WHEN p.permissive IS NULL THEN 'no row (no policy applies to it)'
                        ELSE 'rows where ' || p.permissive || COALESCE(' AND ' || p.restrictive, '')
                   END AS reach
            FROM r CROSS JOIN t CROSS JOIN cmd
            LEFT JOIN p ON p.role = r.oid AND p.rel = t.oid AND p.name = cmd.name
            """, [SQL.textArray(spec.tables.map(\.schema)), SQL.textArray(spec.tables.map(\.name)), SQL.textArray(roles)]).named
        var reach: [Entry: String] = [:]
        for row in rows {
            guard let role = row["role"], let table = row["table"], let command = row["command"] else { continue }
            reach[Entry(role: role, table: table, command: command)] = row["reach"] ?? ""
        }
        return AccessMatrix(reach: reach)
    }

    /// The roles this reading covers.
    var roles: [String] { uniqued(reach.keys.map(\.role).sorted()) }

    /// Each role's changed reach per table, commands with the same change grouped:
    /// `analytics_app on raw.events: SELECT, INSERT: rows where (…) -> rows where (…)`.
    static func changes(before: AccessMatrix, after: AccessMatrix) -> [String] {
        var groups: [String: [String]] = [:]
        var order: [String] = []
        for entry in Set(before.reach.keys).union(after.reach.keys).sorted() {
            let old = before.reach[entry] ?? "(table not there)", new = after.reach[entry] ?? "(table not there)"
            guard old != new else { continue }
            let key = "\(entry.role) on \(entry.table): \(short(old)) -> \(short(new))"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(entry.command)
        }
        return order.map { key in
            let parts = key.components(separatedBy: ": ")
            return parts[0] + ": " + groups[key]!.joined(separator: ", ") + ": " + parts.dropFirst().joined(separator: ": ")
        }
    }

    /// A reach, with tenantwall's readers spelled short and long predicates cut.
    static func short(_ reach: String) -> String {
        var text = reach.replacingOccurrences(of: #"\( SELECT ([a-z_"]+)\.current_tenant_id\(\) AS current_tenant_id\)"#, with: "$1.current_tenant_id()", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\( SELECT ([a-z_"]+)\.admin_mode_enabled\(\) AS admin_mode_enabled\)"#, with: "admin mode", options: .regularExpression)
        return text.count > 140 ? String(text.prefix(137)) + "..." : text
    }
}
