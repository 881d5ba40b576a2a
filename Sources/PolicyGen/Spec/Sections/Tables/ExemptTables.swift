/// `isolation: exempt` tables: no row-level security at all. This file owns the `reason` key (a reviewer
/// must read why) and the diagnostics about what an exempt table cannot have; an exempt hypertable is
/// refused with the other hypertable rules.
extension Table {
    static let exemptReasonKey = SpecKey<Table>("reason") { table, entry, reader in table.reason = reader.string(entry.value, what: "reason") }

    /// A written reason, and no `restrict` (a policy on a table without RLS never applies).
    func checkExemption(_ checks: inout SpecChecks) {
        if (reason ?? "").trimmingLeadingSpaces().isEmpty {
            checks.error("table '\(qualifiedName)' is exempt from RLS: give a 'reason' that a reviewer can read", location)
        }
        if restrict != nil { checks.error("an exempt table has no RLS, so 'restrict' would never apply", location) }
    }
}
