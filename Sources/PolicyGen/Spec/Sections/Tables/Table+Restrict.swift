/// A table's `restrict`: an extra condition every row must satisfy, added as a RESTRICTIVE policy. This file
/// owns the key and its diagnostics: one SQL condition, over the table's own columns.
extension Table {
    static let restrictKey = SpecKey<Table>("restrict") { table, entry, reader in
        table.restrict = reader.string(entry.value, what: "restrict")
        table.restrictLocation = reader.location(entry.keyNode)
    }

    func checkRestrict(_ checks: inout SpecChecks) {
        guard let restrict else { return }
        if let problem = ExpressionCheck.problem(in: restrict) { checks.error("restrict predicate of '\(qualifiedName)': \(problem)", location) }
        else { checks.expressionColumns(restrict, "restrict predicate of '\(qualifiedName)'", self, restrictLocation ?? location) }
    }
}
