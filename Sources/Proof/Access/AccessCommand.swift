/// The commands the access model asks about, one entry per role × object × command.
///
/// TRUNCATE and REFERENCES are in the list because RLS never governs them: a grant of either reaches every row
/// (TRUNCATE empties the table, a foreign key probes any tenant's keys), so review must see them appear.
public enum AccessCommand: String, Sendable, Hashable, CaseIterable, Comparable {
    case select = "SELECT", insert = "INSERT", update = "UPDATE", delete = "DELETE", truncate = "TRUNCATE", references = "REFERENCES"

    /// `pg_policy.polcmd` of the policies written for this command alone; nil for commands no policy governs.
    var policyCommand: String? {
        switch self {
        case .select: "r"
        case .insert: "a"
        case .update: "w"
        case .delete: "d"
        case .truncate, .references: nil
        }
    }

    /// Whether PostgreSQL grants this command per column too (`GRANT SELECT (a, b)`).
    var grantsColumns: Bool { [.select, .insert, .update, .references].contains(self) }

    /// Existing rows the command reaches are filtered by USING (SELECT, UPDATE, DELETE).
    var filtersExisting: Bool { [.select, .update, .delete].contains(self) }
    /// New rows the command writes are checked by WITH CHECK (INSERT, UPDATE).
    var checksNew: Bool { [.insert, .update].contains(self) }

    public static func < (a: AccessCommand, b: AccessCommand) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
