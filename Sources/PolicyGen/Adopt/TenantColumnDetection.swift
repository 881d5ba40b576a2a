/// Finds the tenant column of an existing database: the column name most tables share whose single-column
/// foreign keys point at one table (that table lists the tenants), else `tenant_id`. Two names that tie are
/// not guessed between: unless one's target table itself belongs to the other's (users carry `org_id`, so
/// `org_id` wins over `user_id`) or one is `tenant_id`, the author names it with `--tenant-column`.
public enum TenantColumnDetection {
    public struct Choice: Sendable, Equatable {
        public var column: String
        /// `schema.name` of the table the tenant foreign keys point to, and its referenced column.
        public var tenantsTable: String?
        public var key: String?
        public var questions: [String]
    }

    /// A column name and the table its foreign keys point to most often.
    struct Candidate {
        var column: String
        var target: String
        var key: String
        /// The tables whose foreign key on `column` points at `target`.
        var tables: Set<String>
    }

    public static func choose(_ database: ExistingDatabase, given: String? = nil) throws -> Choice {
        let candidates = self.candidates(database)
        if let given {
            guard database.tables.contains(where: { $0.column(given) != nil }) else {
                throw AdoptionError("no table has a column '\(given)' (given with --tenant-column)")
            }
            if let match = candidates.first(where: { $0.column == given }) {
                return Choice(column: given, tenantsTable: match.target, key: match.key, questions: [])
            }
            return Choice(column: given, tenantsTable: nil, key: nil, questions: [noTenantsTable(given)])
        }
        guard let best = candidates.map(\.tables.count).max() else {
            if database.tables.contains(where: { $0.column("tenant_id") != nil }) {
                return Choice(column: "tenant_id", tenantsTable: nil, key: nil, questions: [noTenantsTable("tenant_id")])
            }
            throw AdoptionError("no tenant column found: no column is shared by tables whose foreign keys point at one table, and no table has a 'tenant_id' column; name it with --tenant-column NAME")
        }
        var top = candidates.filter { $0.tables.count == best }
        if top.count > 1 {
            // A candidate whose target table carries another candidate's column (with its foreign key) is nested
            // inside that one: users belong to orgs, so user_id is not the tenant.
            let nested = top.filter { inner in
                top.contains { outer in
                    outer.column != inner.column && outer.tables.contains(inner.target)
                }
            }
            if nested.count < top.count { top.removeAll { candidate in nested.contains { $0.column == candidate.column } } }
        }
        if top.count > 1, let preferred = top.first(where: { $0.column == "tenant_id" }) { top = [preferred] }
        guard top.count == 1, let chosen = top.first else {
            let described = top.map { "\($0.column) (\($0.tables.count) table\($0.tables.count == 1 ? "" : "s") → \($0.target))" }.joined(separator: ", ")
            throw AdoptionError("\(top.count) candidate tenant columns: \(described); name one with --tenant-column NAME")
        }
        return Choice(column: chosen.column, tenantsTable: chosen.target, key: chosen.key, questions: [])
    }

    static func noTenantsTable(_ column: String) -> String {
        "no foreign key on '\(column)' points at a table of tenants: which table lists them? Add it with isolation: self and key: <its id column>"
    }

    /// Every column name with a single-column foreign key, with the table it most often points at.
    static func candidates(_ database: ExistingDatabase) -> [Candidate] {
        var byColumn: [String: [String: (key: String, tables: Set<String>)]] = [:]
        for table in database.tables {
            for key in table.foreignKeys where key.columns.count == 1 && key.referencedColumns.count == 1 && key.references != table.qualifiedName {
                byColumn[key.columns[0], default: [:]][key.references, default: (key.referencedColumns[0], [])].tables.insert(table.qualifiedName)
            }
        }
        return byColumn.keys.sorted().compactMap { column in
            let targets = byColumn[column]!
            guard let target = targets.keys.sorted().max(by: { targets[$0]!.tables.count < targets[$1]!.tables.count }) else { return nil }
            return Candidate(column: column, target: target, key: targets[target]!.key, tables: targets[target]!.tables)
        }
    }
}

/// Something `init` cannot decide without the author (no tenant column, two candidates): exit code 2.
public struct AdoptionError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
