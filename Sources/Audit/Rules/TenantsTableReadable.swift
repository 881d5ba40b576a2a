import PolicyGen
import Quoting

/// TW136: the tenants table itself (what the tenant column's foreign keys reference) without row-level
/// security, readable by the application.
///
/// TW101 only looks at tables that hold the tenant column, and the tenants table does not: its key *is* the
/// tenant. Hand-built databases protect every table that has `tenant_id` and leave this one open, so every
/// tenant lists every other tenant's name, plan and whatever else the row holds (and, with INSERT, can add
/// tenants at will).
public struct TenantsTableReadable: AuditRule {
    public let id = "TW136", name = "tenants-table-readable", severity = Severity.error
    public let title = "tenants table readable by the application without row-level security"
    public let explanation = "The table the tenant column references holds one row per tenant. Without RLS every tenant reads every other tenant's row; with RLS and a policy on its key, a tenant sees its own row only, like every other tenant table."
    public init() {}

    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        // Foreign keys on exactly the tenant column, from tables that hold it (partitions included: their keys
        // are clones of their parent's), grouped by the table they reference.
        let keys = catalog.foreignKeys.filter { key in
            key.columns == [input.tenantColumn] && (catalog.table(key.table)?.columns.contains(input.tenantColumn) ?? false)
        }
        return Dictionary(grouping: keys, by: \.references).sorted { $0.key < $1.key }.compactMap { referenced, keys -> Finding? in
            guard let table = catalog.table(referenced), ["r", "p"].contains(table.kind), !table.rls,
                  !table.columns.contains(input.tenantColumn), catalog.policies(on: table).isEmpty else { return nil }
            // The application's roles (or PUBLIC) that hold a privilege; the owner's own access is TW113's.
            let app = { (privilege: String) in catalog.grantees(table, privilege: privilege).filter { ($0 == "PUBLIC" || input.isApp($0)) && $0 != table.owner }.sorted() }
            let readers = app("SELECT")
            guard !readers.isEmpty else { return nil }
            let key = keys.lazy.compactMap { $0.referencedColumns.count == 1 ? $0.referencedColumns[0] : nil }.first ?? "id"
            // Tables whose policies tell how the tenant is read: the referencing tables, or their parents.
            let referencing = uniqued(keys.map { key in catalog.table(key.table).flatMap { $0.parent } ?? key.table }).sorted()
            let roles = input.currentUsers(of: table)
            let to = roles.isEmpty ? "" : " TO " + roles.map(Fix.ident).joined(separator: ", ")
            var message = "\(table.qualified) is the tenants table (\(input.tenantColumn) in \(referencing.joined(separator: ", ")) references it) and has no row-level security: \(readers.joined(separator: ", ")) read every tenant's row"
            let writes = readers.compactMap { role -> String? in
                let privileges = ["INSERT", "UPDATE", "DELETE"].filter { app($0).contains(role) }
                return privileges.isEmpty ? nil : "\(role) can \(privileges.joined(separator: ", "))"
            }
            if !writes.isEmpty {
                message += "; \(writes.joined(separator: ", ")), which the policy then checks too (a sign-up sets the context to the new tenant's id first)"
            }
            if input.spec != nil { message += "; or declare it in the spec with isolation: self" }
            return finding(message, at: .object("table", table.qualified),
                           fix: "ALTER TABLE \(Fix.table(table.qualified)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; "
                               + "CREATE POLICY \(Fix.ident("tenant_isolation")) ON \(Fix.table(table.qualified))\(to) USING (\(Fix.ident(key)) = \(reader(input, referencing)));")
        }
    }

    /// How the fix's policy reads the tenant: tenantwall's helper with a spec (bare for the native reader, and
    /// on Citus the C reader itself, as the generator writes them), else the setting the referencing tables'
    /// policies compare the tenant column with, read as those policies should (NULLIF for '', a sub-select to
    /// read it once per statement).
    func reader(_ input: AuditInput, _ referencing: [String]) -> String {
        if let spec = input.spec {
            let call = spec.tenancy.shardPolicyReader ?? SQL.qualified(spec.tenancy.helperSchema, "current_tenant_id") + "()"
            return spec.tenancy.citus || spec.tenancy.nativeReader ? call : "(SELECT \(call))"
        }
        let reads = input.parsedPolicies.filter { referencing.contains($0.policy.table) }
            .flatMap { [$0.using, $0.check].compactMap { $0 }.flatMap(\.contextComparisons) }
            .filter { $0.column == input.tenantColumn }
        // The most common setting and type, the first one seen on a tie.
        let counts = Dictionary(grouping: reads, by: { "\($0.setting)|\($0.type ?? "")" })
        guard let best = reads.max(by: { counts["\($0.setting)|\($0.type ?? "")"]!.count < counts["\($1.setting)|\($1.type ?? "")"]!.count }) else {
            return "<tenant reader>"
        }
        return "(SELECT NULLIF(current_setting(\(SQL.literal(best.setting)), true), '')\(best.type.map { "::" + $0 } ?? ""))"
    }
}
