import Foundation

/// TW114: a view over a protected table that runs with its owner's rights.
///
/// Not for TimescaleDB's own views of a continuous aggregate (TW137 judges who may read the aggregate), nor for
/// a wall: a `security_barrier` view over tables TimescaleDB allows no RLS on, filtered by the tenant column
/// against tenantwall's reader (the walled form of a hypertable); verify tries those walls as every role.
public struct ViewNotSecurityInvoker: AuditRule {
    public let id = "TW114", name = "view-not-security-invoker", severity = Severity.error
    public let title = "view over a protected table without security_invoker"
    public let explanation = "A view runs with its owner's rights unless created WITH (security_invoker = true); owned by a privileged role, it shows every tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        var out: [Finding] = []
        for view in catalog.tables where view.kind == "v" && !Self.securityInvoker(view) {
            let sources = catalog.dependencies.filter { $0.view == view.qualified && protected.contains($0.table) }.map(\.table)
            guard !sources.isEmpty, !catalog.continuousAggregates.keys.contains(view.qualified), !Self.timescaleInternal(view) else { continue }
            if sources.allSatisfy(catalog.refusesRowSecurity), Self.isWall(view, tenantColumn: input.tenantColumn) { continue }
            out.append(finding("view \(view.qualified) reads \(sources.joined(separator: ", ")) with the rights of \(view.owner)", at: .object("view", view.qualified),
                               fix: "ALTER VIEW \(Fix.table(view.qualified)) SET (security_invoker = true);"))
        }
        return out
    }

    /// TimescaleDB's views behind a continuous aggregate (`_direct_view_N`, `_partial_view_N`).
    static func timescaleInternal(_ view: AuditCatalog.Table) -> Bool {
        view.schema == "_timescaledb_internal" && (view.name.hasPrefix("_direct_view_") || view.name.hasPrefix("_partial_view_"))
    }

    /// A wall view: `security_barrier`, and its query compares the tenant column with tenantwall's reader, as
    /// `= (SELECT reader())` or, where admin mode reaches the table, `= ANY ((SELECT CASE … ARRAY[reader()] END))`.
    static func isWall(_ view: AuditCatalog.Table, tenantColumn: String) -> Bool {
        guard view.options.contains("security_barrier=true"), let definition = view.definition else { return false }
        let column = #"\b"# + NSRegularExpression.escapedPattern(for: tenantColumn)
        let reader = #"\.(current_tenant_id|required_tenant_id)\("#
        return definition.range(of: column + #"\s*=\s*\(\s*SELECT\s+[^()]*"# + reader, options: .regularExpression) != nil
            || definition.range(of: "(?s)" + column + #"\s*=\s*ANY\s*\(\(\s*SELECT\s+CASE\b.*\bELSE\s+ARRAY\[[^\]]*"# + reader, options: .regularExpression) != nil
    }

    /// Whether the view's options turn security_invoker on. reloptions keep the value as written, and PostgreSQL
    /// reads any spelling `parse_bool` takes as true (`yes`, `1`, `ON`, `t`: a prefix of true or yes, on, 1, in
    /// any case), so `security_invoker=yes` is as much invoker's rights as `security_invoker=true`.
    static func securityInvoker(_ view: AuditCatalog.Table) -> Bool {
        view.options.contains { option in
            guard option.hasPrefix("security_invoker=") else { return false }
            let value = option.dropFirst("security_invoker=".count).lowercased()
            return !value.isEmpty && ("true".hasPrefix(value) || "yes".hasPrefix(value) || value == "on" || value == "1")
        }
    }
}
