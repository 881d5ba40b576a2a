import PolicyGen
import Postgres
import Quoting

/// The views, materialized views and functions that read the spec's tables, and whether each still sees rows
/// after the change. A materialized view's refresh and a view's query run as the view's owner; a job's function
/// runs as whoever the scheduler connects as, in practice its owner. Once a table has FORCE and policies for the
/// access roles only, that owner sees no row: a refresh silently produces an empty view. The plan says so,
/// and refuses, before anything changes.
struct Dependents {
    struct View: Equatable {
        var name: String, kind: String, owner: String, reads: [String], definition: String
    }
    struct Function: Equatable {
        var signature: String, owner: String, reads: [String]
    }
    var views: [View]
    var functions: [Function]

    static func read(_ connection: Connection, spec: Spec) throws -> Dependents {
        let names = [SQL.textArray(spec.tables.map(\.schema)), SQL.textArray(spec.tables.map(\.name)), spec.tenancy.helperSchema]
        let views = try connection.query("""
            WITH t AS (
                SELECT c.oid, n.nspname || '.' || c.relname AS q FROM unnest($1::text[], $2::text[]) AS s(nsp, rel)
                JOIN pg_catalog.pg_namespace AS n ON n.nspname = s.nsp JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.rel
            )
            SELECT v.oid::regclass::text AS name, CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END AS kind,
                   pg_catalog.pg_get_userbyid(v.relowner) AS owner, pg_catalog.string_agg(DISTINCT t.q, ', ') AS reads,
                   pg_catalog.rtrim(pg_catalog.pg_get_viewdef(v.oid), ';') AS definition
            FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS w ON w.oid = d.objid
            JOIN pg_catalog.pg_class AS v ON v.oid = w.ev_class JOIN t ON t.oid = d.refobjid
            WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND v.oid <> t.oid AND v.relkind IN ('v', 'm')
              AND NOT COALESCE(v.reloptions @> ARRAY['security_invoker=true'], false)
            GROUP BY v.oid ORDER BY 1
            """, names.dropLast()).named.map {
                View(name: $0["name"] ?? "", kind: $0["kind"] ?? "", owner: $0["owner"] ?? "", reads: ($0["reads"] ?? "").components(separatedBy: ", "),
                     definition: $0["definition"] ?? "")
            }
        // Functions are matched by the tables' names in their bodies (PostgreSQL records no dependency for a
        // plpgsql or SQL body): a mention in a comment counts too, which errs on the side of saying so.
        let functions = try connection.query("""
            WITH t AS (
                SELECT c.oid, n.nspname || '.' || c.relname AS q, c.relname FROM unnest($1::text[], $2::text[]) AS s(nsp, rel)
                JOIN pg_catalog.pg_namespace AS n ON n.nspname = s.nsp JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.rel
            )
            SELECT p.oid::regprocedure::text AS signature, pg_catalog.pg_get_userbyid(p.proowner) AS owner, pg_catalog.string_agg(DISTINCT t.q, ', ') AS reads
            FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang AND l.lanname IN ('sql', 'plpgsql')
            JOIN t ON p.prosrc ~ ('\\m' || pg_catalog.regexp_replace(t.relname, '([.^$*+?()\\[\\]{}|\\\\])', '\\\\\\1', 'g') || '\\M')
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', $3)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS e WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
            GROUP BY p.oid ORDER BY 1
            """, names).named.map {
                Function(signature: $0["signature"] ?? "", owner: $0["owner"] ?? "", reads: ($0["reads"] ?? "").components(separatedBy: ", "))
            }
        return Dependents(views: views, functions: functions)
    }

    /// Whether the view's query returns any row when run as its owner (as its refresh or a read runs it);
    /// nil when the session may not take on the owner's role. Runs in the caller's transaction.
    static func seesRows(_ connection: Connection, _ view: View) -> Bool? {
        do {
            try connection.execute("SAVEPOINT tw_dependent; SET LOCAL ROLE \(SQL.ident(view.owner))")
            defer { _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_dependent; RELEASE SAVEPOINT tw_dependent") }
            return try connection.query("SELECT EXISTS (SELECT 1 FROM (\(view.definition)) AS q)").flag
        } catch {
            return nil
        }
    }

    /// Blockers: a view that returned rows to its owner and would return none; a function whose owner could
    /// read or write rows of a table it names and would reach none.
    static func blockers(before: [String: Bool], after: [String: Bool], dependents: Dependents,
                         access: (before: AccessMatrix, after: AccessMatrix)) -> [String] {
        var out: [String] = []
        for view in dependents.views where before[view.name] == true && after[view.name] == false {
            out.append("\(view.kind) \(view.name) (owner \(view.owner)) reads \(view.reads.joined(separator: ", ")): "
                       + (view.kind == "materialized view" ? "its refresh would produce 0 rows" : "it would return 0 rows to everyone")
                       + " after this change, since \(view.owner) would see no row; set roles.owner_access: all (its refreshes and jobs see every row), or give the view to a role the spec's policies name")
        }
        for function in dependents.functions {
            let lost = function.reads.filter { table in
                ["SELECT", "INSERT", "UPDATE", "DELETE"].contains { command in
                    let entry = AccessMatrix.Entry(role: function.owner, table: table, command: command)
                    return AccessMatrix.reachesRows(access.before.reach[entry]) && !AccessMatrix.reachesRows(access.after.reach[entry])
                }
            }
            if !lost.isEmpty {
                out.append("function \(function.signature) (owner \(function.owner)) names \(lost.joined(separator: ", ")): run as \(function.owner) (a job), it would see no row after this change; set roles.owner_access: all, or run it as a role the spec names")
            }
        }
        return out
    }
}
