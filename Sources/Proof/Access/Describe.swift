/// Entries and reaches as the text a report shows in its base and head columns.
enum Describe {
    /// `SELECT: USING (tenant_id = f())`, `no UPDATE`, `TRUNCATE: all rows (…)`.
    static func entry(_ entry: AccessEntry) -> String {
        entry.privilege == .none ? entry.privilege.text(entry.command) : entry.privilege.text(entry.command) + ": " + reach(entry.reach)
    }

    static func reach(_ reach: AccessReach) -> String {
        switch reach {
        case .denied: return "no rows"
        case .unfiltered(let why): return "all rows (\(why))"
        case .filtered(let using, let check):
            let parts = [using.map { "USING (\($0.text))" }, check.map { "WITH CHECK (\($0.text))" }].compactMap { $0 }
            return parts.joined(separator: " ")
        case .view(let view): return view.summary
        }
    }
}
