import Foundation
import Postgres
import Quoting

/// Writes the witness row as the superuser (foreign keys already off), and when the table refuses the
/// witness' own values (a CHECK, an enum label, a NOT NULL the solver did not model, a key another row holds)
/// fills the columns no predicate names: first from a row the table holds, then with fresh values for unique
/// keys. Pinned columns are never changed: a row admitted with different pinned values would prove nothing.
struct RowPlacement {
    enum Result {
        /// The values the row was written with (for INSERT: that the table accepts), and what was changed.
        case placed([(String, String)], adjusted: [String])
        case refused(String)
    }

    let connection: Connection
    let plan: WitnessPlan
    let pinned: Set<String>

    func place() throws -> Result {
        guard plan.command != .truncate else { return .placed(plan.values, adjusted: []) }
        var values = plan.values
        var adjusted: [String] = []
        var lastError: PostgresError? = nil
        for attempt in 0..<6 {
            if attempt > 0 {
                guard let error = lastError, let changes = try adjust(&values, after: error, first: attempt == 1), !changes.isEmpty else { break }
                adjusted += changes
            }
            var trial = plan
            trial.values = values
            try connection.execute("SAVEPOINT tw_place")
            do {
                try connection.execute(trial.placement)
                // INSERT's row is the role's to write: only learn that the table accepts it.
                try connection.execute(plan.command == .insert ? "ROLLBACK TO SAVEPOINT tw_place" : "RELEASE SAVEPOINT tw_place")
                return .placed(values, adjusted: adjusted)
            } catch let error as PostgresError {
                try connection.execute("ROLLBACK TO SAVEPOINT tw_place")
                guard Self.adjustable(error) else { return .refused("the table refuses the witness row: \(error.brief)") }
                lastError = error
            }
        }
        return .refused("the table refuses the witness row: \(lastError?.brief ?? "?")"
                        + (pinned.count == plan.table.columns.count ? " (no column is free to change)" : ""))
    }

    /// Data and constraint errors (class 22, 23) and a value of the wrong type: what other values may cure.
    static func adjustable(_ error: PostgresError) -> Bool {
        let state = error.sqlState ?? ""
        return state.hasPrefix("22") || state.hasPrefix("23") || state == "42804"
    }

    /// The columns that may be changed: of the table the row is written to (a view's table, whose columns say
    /// NOT NULL where the view's do not).
    var free: [WitnessTable.Column] {
        (plan.storage ?? plan.table).columns.filter { !$0.generated && !pinned.contains($0.name) }
    }

    /// New values for the free columns: after a unique violation, fresh keys; otherwise a row the table holds
    /// (or, for an empty table, defaults and small values of each type).
    func adjust(_ values: inout [(String, String)], after error: PostgresError, first: Bool) throws -> [String]? {
        if !first, error.sqlState == "23502", let name = SignedSetter.capture(#"column "([^"]+)""#, error.message, 1)?.first,
           let column = free.first(where: { $0.name == name }) {
            // NOT NULL where the relation did not say so (a view's columns carry no NOT NULL).
            let old = values.first { $0.0 == name }?.1
            let value = made(column, nullable: false) ?? "'1'::text"
            values.removeAll { $0.0 == name }
            values.append((name, value))
            sortByColumn(&values)
            return ["\(name): \(old ?? "DEFAULT") → \(value)"]
        }
        let columns = error.sqlState == "23505" ? free.filter(\.unique) : free
        guard !columns.isEmpty else { return nil }
        let replacements = error.sqlState == "23505" ? try fresh(columns) : try sampled(columns)
        var changes: [String] = []
        for column in columns {
            let replacement = replacements[column.name] ?? nil
            let old = values.first { $0.0 == column.name }?.1
            values.removeAll { $0.0 == column.name }
            if let replacement { values.append((column.name, replacement)) }
            if old != replacement { changes.append("\(column.name): \(old ?? "DEFAULT") → \(replacement ?? "DEFAULT")") }
        }
        sortByColumn(&values)
        return changes
    }

    func sortByColumn(_ values: inout [(String, String)]) {
        values.sort { a, b in
            (plan.table.columns.firstIndex { $0.name == a.0 } ?? 0) < (plan.table.columns.firstIndex { $0.name == b.0 } ?? 0)
        }
    }

    /// Values from a row of the table (read as the superuser), or made up for an empty table. nil: the default.
    func sampled(_ columns: [WitnessTable.Column]) throws -> [String: String?] {
        let select = columns.map { "\(SQL.ident($0.name))::text" }.joined(separator: ", ")
        let row = try connection.query("SELECT \(select) FROM \((plan.storage ?? plan.table).qualified) LIMIT 1").rows.first
        var result: [String: String?] = [:]
        for (index, column) in columns.enumerated() {
            if let row {
                result[column.name] = row[index].map { SQL.literal($0) + "::text" } ?? "NULL"
            } else {
                result[column.name] = made(column)
            }
        }
        return result
    }

    /// A value for a column of an empty table: its default, its enum's first label, NULL, or a small one.
    func made(_ column: WitnessTable.Column, nullable: Bool = true) -> String? {
        if column.hasDefault && nullable { return nil }
        if let label = column.firstLabel { return SQL.literal(label) + "::text" }
        if !column.notNull && nullable { return "NULL" }
        let type = column.type.lowercased()
        if ["smallint", "integer", "bigint", "numeric", "real", "double precision"].contains(where: type.hasPrefix) { return "1" }
        if type == "boolean" { return "false" }
        if type == "uuid" { return SQL.literal(UUID().uuidString.lowercased()) + "::text" }
        if type.hasPrefix("timestamp") || type == "date" { return "'2026-01-01'::text" }
        if type.hasPrefix("json") { return "'{}'::text" }
        return "'witness'::text"
    }

    /// Keys no row holds: one past the largest for numbers, random for uuids and text.
    func fresh(_ columns: [WitnessTable.Column]) throws -> [String: String?] {
        var result: [String: String?] = [:]
        for column in columns {
            let type = column.type.lowercased()
            if ["smallint", "integer", "bigint", "numeric"].contains(type) {
                let next = try connection.query("SELECT (coalesce(max(\(SQL.ident(column.name))), 0) + 1)::text FROM \(plan.table.qualified)").scalar ?? "1"
                result[column.name] = next
            } else if type == "uuid" {
                result[column.name] = SQL.literal(UUID().uuidString.lowercased()) + "::text"
            } else {
                result[column.name] = SQL.literal("witness-" + UUID().uuidString.prefix(8).lowercased()) + "::text"
            }
        }
        return result
    }
}
