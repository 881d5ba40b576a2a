import Quoting

/// Everything one witness run does, as statements: the pure core that both the runner and `WitnessScript`
/// print, so the SQL shown is the SQL that ran.
struct WitnessPlan: Sendable, Equatable {
    var table: WitnessTable
    var role: String
    var command: WitnessCommand
    /// Column → the SQL value written (already a literal, cast to the column's type when the statements are
    /// built); a column absent here takes its default.
    var values: [(String, String)]
    var recipe: ContextRecipe
    /// The columns the predicates name.
    var pinned: Set<String> = []
    /// For a view: the one table it reads, where the superuser writes the row (a view's own WHERE or CHECK
    /// OPTION, written for the application, would refuse a row of another tenant from the superuser too).
    var storage: WitnessTable?
    /// UPDATE's WITH CHECK: the row is written as the session's own (this column holding what the reader returns)
    /// and the UPDATE moves it to the witness' value, so USING sees the old row and WITH CHECK the new one.
    var move: Move?

    struct Move: Sendable, Equatable {
        var column: String
        /// The witness' value, which the UPDATE sets.
        var to: String
    }

    static func == (a: WitnessPlan, b: WitnessPlan) -> Bool {
        a.table == b.table && a.storage == b.storage && a.move == b.move && a.role == b.role && a.command == b.command && a.recipe == b.recipe
            && a.values.map { $0.0 + "=" + $0.1 } == b.values.map { $0.0 + "=" + $0.1 }
    }

    private var written: [(WitnessTable.Column, String)] {
        values.compactMap { name, value in
            table.columns.first { $0.name == name && !$0.generated }.map { ($0, value) }
        }
    }

    /// `CAST(<value> AS <column type>)`, `NULL` as it is.
    static func cast(_ value: String, _ column: WitnessTable.Column) -> String {
        value.uppercased() == "NULL" ? "NULL" : "CAST(\(value) AS \(column.type))"
    }

    /// The row, written with foreign keys and triggers off (the superuser's insert, and the role's for INSERT).
    var insert: String {
        let columns = written
        let overriding = columns.contains { $0.0.identityAlways } ? " OVERRIDING SYSTEM VALUE" : ""
        guard !columns.isEmpty else { return "INSERT INTO \(table.qualified) DEFAULT VALUES" }
        return "INSERT INTO \(table.qualified) (\(SQL.identList(columns.map(\.0.name))))\(overriding) VALUES ("
            + columns.map { Self.cast($0.1, $0.0) }.joined(separator: ", ") + ")"
    }

    /// The superuser's write of the row: into the view's table for a view, else the role's own INSERT.
    var placement: String {
        guard let storage else { return insert }
        var stored = self
        stored.table = storage
        stored.storage = nil
        stored.values = values.filter { name, _ in storage.columns.contains { $0.name == name } }
        return stored.insert
    }

    /// The row, matched on every column that has an `=`.
    var match: String {
        let terms = written.filter(\.0.comparable).map { column, value in
            value.uppercased() == "NULL" ? "\(SQL.ident(column.name)) IS NULL"
                : "\(SQL.ident(column.name)) IS NOT DISTINCT FROM \(Self.cast(value, column))"
        }
        return terms.isEmpty ? "true" : terms.joined(separator: " AND ")
    }

    /// The role's statement, as an application writes it (UPDATE and DELETE name the row, so PostgreSQL also
    /// applies the SELECT policies to it).
    var statement: String {
        switch command {
        case .select: return "SELECT count(*) FROM \(table.qualified) WHERE \(match)"
        case .insert: return insert
        case .update:
            if let move, let column = table.columns.first(where: { $0.name == move.column }) {
                return "UPDATE \(table.qualified) SET \(SQL.ident(column.name)) = \(Self.cast(move.to, column)) WHERE \(match)"
            }
            return "UPDATE \(table.qualified) SET \(SQL.ident(updated.0.name)) = \(SQL.ident(updated.0.name)) WHERE \(match)"
        case .delete: return "DELETE FROM \(table.qualified) WHERE \(match)"
        case .truncate: return "TRUNCATE \(table.qualified)"
        }
    }

    /// The column an UPDATE sets, and the witness' value for it: a column the predicates do not name when
    /// there is one (so the blind form changes nothing a policy reads), else the first.
    var updated: (WitnessTable.Column, String) {
        let candidates = written.filter { !$0.0.identityAlways }
        return candidates.first { !pinned.contains($0.0.name) } ?? candidates.first ?? written[0]
    }

    /// UPDATE and DELETE with no WHERE: only the command's own policies apply (an attacker's statement, not an
    /// application's). Run when the statement above reaches nothing; the witness row, found again by its
    /// `tableoid` and `ctid` as the superuser, tells whether it was reached. `targeted` is the same statement
    /// on the witness row alone, used where a cursor can point at it (`blind` itself reaches every row the
    /// policy admits, and a unique key or a CHECK of another row can fail it: 23505 with a key set on all rows).
    var blind: String? {
        switch command {
        case .update: return "UPDATE \(table.qualified) SET \(assignment)"
        case .delete: return "DELETE FROM \(table.qualified)"
        default: return nil
        }
    }

    /// `SET` of the blind and targeted UPDATE: the move, or the updated column to the witness' own value.
    private var assignment: String {
        if let move, let column = table.columns.first(where: { $0.name == move.column }) {
            return "\(SQL.ident(column.name)) = \(Self.cast(move.to, column))"
        }
        return "\(SQL.ident(updated.0.name)) = \(Self.cast(updated.1, updated.0))"
    }

    /// The cursor the superuser points at the witness row before the role acts.
    static let cursor = "tw_witness_row"

    /// The blind statement on the witness row alone: `WHERE CURRENT OF` reads no column, so PostgreSQL still
    /// applies only the command's own policies (no SELECT policy), as with no WHERE, and no other row is
    /// touched. Nil for a view (PostgreSQL has no `WHERE CURRENT OF` for one): its blind form has no WHERE.
    var targeted: String? {
        guard storage == nil, let blind else { return nil }
        return blind + " WHERE CURRENT OF \(Self.cursor)"
    }

    /// The superuser's cursor on the row found by `locate`, taken before `SET LOCAL ROLE` (a cursor carries no
    /// privilege check of the role's: the role's statement is checked against its policies when it runs).
    func declare(oid: String, ctid: String) -> String {
        "DECLARE \(Self.cursor) CURSOR FOR SELECT FROM \(table.qualified) WHERE tableoid = \(SQL.literal(oid))::oid AND ctid = \(SQL.literal(ctid))::tid FOR UPDATE"
    }

    /// Where the witness row is, read as the superuser before the role acts.
    var locate: String { "SELECT tableoid::oid::text, ctid::text FROM \(home.qualified) WHERE \(match) LIMIT 1" }

    /// The table the row is written to (a view's table for a view): where it is found again.
    var home: WitnessTable { storage ?? table }

    /// True (as the superuser) while the witness row is as it was written.
    func untouched(oid: String, ctid: String) -> String {
        "SELECT count(*) > 0 FROM \(home.qualified) WHERE tableoid = \(SQL.literal(oid))::oid AND ctid = \(SQL.literal(ctid))::tid"
    }

    /// What the statement's result means, for the script's comment.
    var reading: String {
        switch command {
        case .select: return "admitted when the count is 1"
        case .insert, .truncate: return "admitted when it succeeds; refused with 42501 or 44000"
        case .update, .delete: return "admitted when it reports 1 row; refused with 0 rows or 42501"
        }
    }

    /// The whole run as SQL anyone can paste: `BEGIN … ROLLBACK`, never leaving a row.
    var script: String {
        var lines = ["BEGIN;",
                     "SET LOCAL session_replication_role = replica;  -- foreign keys and triggers off: the row needs no parent"]
        if command.needsRowFirst { lines.append(placement + ";") }
        lines += recipe.setup.map { $0 + ";" }
        lines.append("SET LOCAL ROLE \(SQL.ident(role));")
        lines += recipe.asRole.map { $0 + ";" }
        if !recipe.checks.isEmpty {
            lines.append("SELECT " + recipe.checks.map { "(\($0.sql))" }.joined(separator: " AND ") + " AS context_as_witnessed;")
        }
        lines.append("-- \(command.rawValue) as \(role): \(reading)")
        lines.append(statement + ";")
        if let blind {
            var found = ["SELECT tableoid AS tw_oid, ctid AS tw_ctid FROM \(home.qualified) WHERE \(match) \\gset"]
            if targeted != nil {
                found.append("DECLARE \(Self.cursor) CURSOR FOR SELECT FROM \(table.qualified) WHERE tableoid = :'tw_oid' AND ctid = :'tw_ctid' FOR UPDATE;")
                found.append("MOVE NEXT IN \(Self.cursor);")
            }
            lines.insert(contentsOf: found, at: command.needsRowFirst ? 3 : 2)
            if let targeted {
                lines.append("-- if it reports 0 rows: the same on the witness row by its cursor, which reads no column: only the \(command.rawValue) policies filter")
                lines.append(targeted + ";")
            } else {
                lines.append("-- if it reports 0 rows: the same with no WHERE, which only the \(command.rawValue) policies filter")
                lines.append(blind + ";")
            }
            lines += ["RESET ROLE;",
                      "SELECT count(*) = 0 AS reached FROM \(home.qualified) WHERE tableoid = :'tw_oid' AND ctid = :'tw_ctid';  -- psql"]
        }
        lines.append("ROLLBACK;")
        return lines.joined(separator: "\n")
    }
}
