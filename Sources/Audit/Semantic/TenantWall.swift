import Catalog
import Proof
import Quoting

/// What a row of a tenant table must satisfy for the session reading it: `"<tenant column>" = <reader>`, or an
/// open admin gate for the gate's role. Stated the way `tenantwall prove` states it, from what audit knows:
///
/// - with a spec: `<helpers>.current_tenant_id()` reads the tenant and `<helpers>.admin_mode_enabled` is the admin
///   role's gate, as prove reads them;
/// - without one: the admin role (an application role named like one) opens gates named as prove names them,
///   or a function without arguments whose body checks membership in it; the reader is a `current_tenant_id()`
///   function of the database, else the context the policies compare each
///   isolation column with, most often: `NULLIF(current_setting('app.tenant_id', true), '')::<column type>` (an
///   unset or empty setting is no tenant), or a context function (`app.current_user_id()`).
///
/// A column nothing compares with a context has no reader: its tables are left to the pattern rules.
struct TenantWall: Sendable {
    /// The reader per isolation column name; nil inside when no reader was found for it.
    let readers: [String: String]
    /// A reader for every column (the spec's, or the database's `current_tenant_id()`), nil when inferred.
    let universalReader: String?
    /// Gate functions (qualified) → the role whose members alone can open them.
    let gates: [String: String]

    init(_ input: AuditInput) {
        var gates: [String: String] = [:]
        var universal: String?
        let functions = input.catalog?.functions.filter { !["pg_catalog", "information_schema"].contains($0.schema) } ?? []
        if let spec = input.spec {
            let helpers = spec.tenancy.helperSchema
            universal = SQL.qualified(helpers, "current_tenant_id") + "()"
            if spec.roles.hasAdmin { gates[helpers + ".admin_mode_enabled"] = spec.roles.admin }
        } else {
            if let reader = functions.first(where: { $0.name == "current_tenant_id" && $0.argumentTypes.isEmpty }) {
                universal = SQL.qualified(reader.schema, reader.name) + "()"
            }
            let admin = input.appRoles.sorted().first { $0.contains("admin") }
            if let admin {
                // prove's gates by name, and a hand-written one: no argument, an SQL body that checks membership
                // in the admin role (`pg_has_role(current_user, 'admin', 'MEMBER') AND …`). The solver then opens
                // it for the admin role and its members alone, and the admin's wall includes it.
                for gate in functions where gate.argumentTypes.isEmpty
                    && (["admin_mode_enabled", "admin_mode"].contains(gate.name)
                        || (gate.body?.contains("pg_has_role") == true && gate.body?.contains(SQL.literal(admin)) == true)) {
                    gates[gate.qualified] = admin
                }
            }
        }
        self.universalReader = universal
        self.gates = gates
        var readers: [String: String] = [:]
        if universal == nil {
            // Count, per column name, the settings and context functions policies compare it with.
            var settings: [String: [String: (count: Int, type: String?)]] = [:], calls: [String: [String: Int]] = [:]
            for p in input.parsedPolicies {
                for e in [p.using, p.check].compactMap({ $0 }) {
                    for c in e.contextComparisons {
                        let known = settings[c.column]?[c.setting]
                        settings[c.column, default: [:]][c.setting] = ((known?.count ?? 0) + 1, known?.type ?? c.type)
                    }
                    for c in e.contextCalls { calls[c.column, default: [:]][c.function, default: 0] += 1 }
                }
            }
            // A setting only ever matched by pattern (LIKE) still names the context, when nothing compares it.
            for p in input.parsedPolicies {
                for e in [p.using, p.check].compactMap({ $0 }) {
                    for m in e.contextMatches where settings[m.column] == nil && calls[m.column] == nil {
                        readers[m.column] = readers[m.column] ?? "setting|" + m.setting + "|"
                    }
                }
            }
            for (column, counted) in settings {
                guard let best = counted.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) else { continue }
                readers[column] = "setting|" + best.key + "|" + (best.value.type ?? "")
            }
            for (column, counted) in calls where readers[column] == nil {
                guard let best = counted.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { continue }
                readers[column] = "call|" + best.key
            }
        }
        self.readers = readers
    }

    /// The reader for a table's isolation column, typed as the column.
    func reader(column: DatabaseCatalog.Column?, name: String) -> String? {
        if let universalReader { return universalReader }
        guard let found = readers[name] else { return nil }
        let parts = found.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        if parts[0] == "call" {
            return parts[1].split(separator: ".").map { SQL.ident(String($0)) }.joined(separator: ".") + "()"
        }
        let type = column.map(\.type).flatMap { $0.isEmpty ? nil : $0 } ?? (parts[2].isEmpty ? nil : parts[2])
        return "NULLIF(current_setting(\(SQL.literal(parts[1])), true), '')" + (type.map { "::" + $0 } ?? "")
    }

    /// `"desk"."admin_mode_enabled"()` for each gate, sorted.
    var gateCalls: [String] {
        gates.keys.sorted().map { name in
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            return (parts.count == 2 ? SQL.qualified(parts[0], parts[1]) : SQL.ident(name)) + "()"
        }
    }

    /// `"<column>" = <reader>` ORed with every gate: the rows a session may reach.
    func wall(column: String, reader: String) -> RowPredicate {
        let equal = RowPredicate.expression(SQL.ident(column) + " = " + reader)
        let open = gateCalls.map { RowPredicate.expression("(SELECT \($0))") }
        return open.isEmpty ? equal : .or([equal] + open)
    }

    /// A tenant in the session: what the wall check assumes, so that a missing context is judged apart (TW108).
    func tenantSet(reader: String) -> RowPredicate { .expression("(\(reader)) IS NOT NULL") }

    /// No tenant in the session and every gate shut.
    func noContext(reader: String) -> RowPredicate {
        .and([.expression("(\(reader)) IS NULL")] + gateCalls.map { .expression("(SELECT \($0)) IS NOT TRUE") })
    }
}

/// Proof's predicate (Foundation has a `Predicate` of its own).
typealias RowPredicate = Proof.Predicate
