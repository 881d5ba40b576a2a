/// TW504: a foreign key or check added without NOT VALID scans the table under a lock.
public struct ConstraintWithoutNotValid: AuditRule {
    public let id = "TW504", name = "constraint-without-not-valid", severity = Severity.warning
    public let title = "foreign key or check constraint added without NOT VALID"
    public let explanation = "Validation scans the whole table while holding a lock that blocks writes; add it NOT VALID, then VALIDATE CONSTRAINT separately."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.constraintsAddedToExistingTables(input).compactMap { s, table, constraint in
            guard ["CONSTR_FOREIGN", "CONSTR_CHECK"].contains(constraint["contype"] as? String ?? ""), constraint["skip_validation"] as? Bool != true else { return nil }
            return finding("constraint \(constraint["conname"] as? String ?? "") on \(table) is validated while locked", at: s.location,
                           fix: "ADD CONSTRAINT … NOT VALID; then ALTER TABLE … VALIDATE CONSTRAINT … in a later statement")
        }
    }
}
