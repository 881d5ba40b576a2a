/// TW128: a foreign key that references a protected table. Foreign-key checks bypass RLS: inserting a row that
/// references another tenant's key succeeds (or fails with 23503), which reveals whether that key exists.
public struct ForeignKeyIntoProtected: AuditRule {
    public let id = "TW128", name = "foreign-key-into-protected", severity = Severity.warning
    public let title = "foreign key into a protected table"
    public let explanation = "Referential checks see every row, whatever the policies: a reference to another tenant's key is accepted or refused by its existence alone. Include the tenant column in the key, so a tenant can only reference its own rows."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        // A key that includes the tenant column keeps references within a tenant.
        return catalog.foreignKeys.compactMap { key in
            guard protected.contains(key.references), !key.columns.contains(input.tenantColumn) else { return nil }
            return finding("foreign key \(key.name) on \(key.table) references \(key.references) without the tenant column",
                           at: .object("constraint", "\(key.table).\(key.name)"),
                           fix: "reference (\(input.tenantColumn), …) so that a tenant can only point at its own rows")
        }
    }
}
