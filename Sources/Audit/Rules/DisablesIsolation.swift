import Foundation
import PolicyGen

/// TW509: a migration that turns RLS off or drops a policy.
///
/// Not reported, because they replace rather than open (each within one file that runs in one transaction, so
/// no other session ever sees the table between the two):
/// - `DROP POLICY p ON t` followed later in the file by `CREATE POLICY p ON t` (tenantwall's own migrations
///   drop and re-create every policy they write, so that a run is idempotent);
/// - a `DO` block that drops policies on tables it names (`'"s"."t"'::regclass`, `DROP POLICY … ON s.t`)
///   when the file later creates a policy on each of them (tenantwall's removal of policies the spec does not
///   name: the table keeps the file's own policies); or one that finds the tables at run time but drops only
///   policies named with a prefix (`polname LIKE 'tw\_%'`) that the file's later policies carry (tenantwall's
///   hand-over from inline helpers to the extension drops its own `tw_` policies, which the file re-creates).
///   Any other DO block that drops policies is reported;
/// - DISABLE / NO FORCE on a table the same file creates without the tenant column: it holds no tenant rows
///   (tenantwall's `isolation: exempt` tables). The catalog rules judge what a database already holds (TW101).
/// - a `DO` block that drops policies on a table the file later walls (a wall view with a check option over
///   it, or taking its name: `MigrationWalls.swift`), the walled form of a hypertable.
/// A file that drops a policy and creates none on that table, or that runs with `tenantwall:no-transaction`,
/// is reported.
public struct DisablesIsolation: AuditRule {
    public let id = "TW509", name = "disables-isolation", severity = Severity.error
    public let title = "migration disables row-level security or drops a policy"
    public let explanation = "Between this migration and the next, the table may be open to every tenant."
    public init() {}

    /// `'"public"."tenants"'::regclass` and `DROP POLICY [IF EXISTS] p ON t` in a DO block's body.
    static let regclassLiteral = #"'((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?)'\s*::\s*regclass"#
    /// `to_regclass('"s"."t"')`: a block that acts on the table only when it is there.
    static let toRegclass = #"to_regclass\(\s*'((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?)'\s*\)"#
    static let staticDrop = #"DROP\s+POLICY\s+(?:IF\s+EXISTS\s+)?(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+ON\s+((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?)"#

    /// `polname LIKE 'tw\_%'`: a block that drops only policies named with a prefix (the `%` kept, `\_` as written).
    static let namePrefix = #"polname\s+LIKE\s+'((?:[^'%_\\]|\\_)+%)'"#

    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().flatMap { i, s -> [Finding] in
            // Later statements of the same file, when it runs in one transaction.
            let later = s.migration.file.directives.transactional ? all[(i + 1)...].filter { $0.migration.path == s.migration.path } : []
            let createsPolicy = { (table: String, name: String?) in
                later.contains { l in
                    l.statement.kind == "CreatePolicyStmt" && l.policyTable.map { MigrationStatement.sameTable($0, table) } == true
                        && (name == nil || l.node["policy_name"] as? String == name)
                }
            }
            if s.statement.kind == "DropStmt", s.node["removeType"] as? String == "OBJECT_POLICY" {
                return s.droppedPolicies.filter { !createsPolicy($0.table, $0.name) }.map {
                    finding("DROP POLICY \($0.name) ON \($0.table), not created again later in this file", at: s.location)
                }
            }
            if let body = s.doBody, body.range(of: #"DROP\s+POLICY"#, options: [.regularExpression, .caseInsensitive]) != nil {
                // System catalogs (`'pg_catalog.pg_policy'::regclass` in a lookup) hold no policies to drop.
                let named = body.matches(of: Self.regclassLiteral) + body.matches(of: Self.toRegclass) + body.matches(of: Self.staticDrop)
                let tables = uniqued(named.map(MigrationStatement.tableName))
                    .filter { !$0.hasPrefix("pg_catalog.") }
                if tables.isEmpty {
                    let prefixes = body.matches(of: Self.namePrefix).map { String($0.dropLast()).replacingOccurrences(of: #"\_"#, with: "_") }
                    let recreated = !prefixes.isEmpty && prefixes.allSatisfy { prefix in
                        later.contains { $0.statement.kind == "CreatePolicyStmt" && ($0.node["policy_name"] as? String)?.hasPrefix(prefix) == true }
                    }
                    return recreated ? [] : [finding("a DO block drops policies on tables its text does not name", at: s.location)]
                }
                // A table the file walls (a hypertable moving to the walled form) keeps no policy: its wall is a view.
                let walled = MigrationStatement.walled(in: later)
                return tables.filter { !createsPolicy($0, nil) && !MigrationStatement.isWalled($0, walled) }.map {
                    finding("a DO block drops policies on \($0), and this file creates none on it afterwards", at: s.location)
                }
            }
            let exempt = s.relation.map { table in
                all[..<i].contains { e in
                    e.migration.path == s.migration.path && e.statement.kind == "CreateStmt" && e.relation.map { MigrationStatement.sameTable($0, table) } == true
                        && !strings(in: e.node["tableElts"] ?? [], keys: ["colname"]).contains(input.tenantColumn)
                }
            } ?? false
            guard !exempt else { return [] }
            return s.alterCommands.filter { ["AT_DisableRowSecurity", "AT_NoForceRowSecurity"].contains($0["subtype"] as? String ?? "") }.map {
                finding("\(s.relation ?? "?"): \(($0["subtype"] as? String) == "AT_DisableRowSecurity" ? "DISABLE" : "NO FORCE") ROW LEVEL SECURITY", at: s.location)
            }
        }
    }
}
