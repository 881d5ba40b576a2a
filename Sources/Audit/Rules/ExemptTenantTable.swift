import PolicyGen

/// TW401: a spec table exempt from RLS that has the tenant column.
public struct ExemptTenantTable: AuditRule {
    public let id = "TW401", name = "exempt-tenant-table", severity = Severity.warning
    public let title = "exempt table has the tenant column"
    public let explanation = "A table with tenant ids and no RLS is readable across tenants by every role with a grant; make sure the reason holds."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let spec = input.spec else { return [] }
        return spec.tables.filter { $0.isolation == .exempt && $0.column(spec.tenancy.column) != nil }.map { t in
            finding("\(t.qualifiedName) is exempt from RLS but has '\(spec.tenancy.column)' (reason: \(t.reason ?? ""))",
                    at: t.location.map { .file($0.file, line: $0.line, column: $0.column) } ?? .object("table", t.qualifiedName))
        }
    }
}
