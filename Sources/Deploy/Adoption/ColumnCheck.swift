import PolicyGen
import Postgres
import Quoting

/// Compares the columns a spec declares with the columns the database's tables have. tenantwall never adds,
/// drops or retypes a column of a table that exists (`CREATE TABLE IF NOT EXISTS` leaves it as it is), so a spec
/// that describes a table wrongly would otherwise plan "in sync" while grants, probes and policies assume
/// columns that are not there. Every difference blocks `apply`: the spec is what must change.
///
/// The spec's types are spelled by the server (a temporary table with the spec's columns, in the caller's
/// rolled-back transaction), so `timestamptz`, `int` or `varchar(20)` compare equal to what `format_type` says.
enum ColumnCheck {
    static func problems(_ connection: Connection, spec: Spec, existing: Set<String>) throws -> [String] {
        var out: [String] = []
        for (n, table) in spec.tables.enumerated() where existing.contains(table.qualifiedName) && !table.columns.isEmpty {
            let live = try types(connection, "SELECT $1::regclass AS rel", [SQL.qualified(table.schema, table.name)])
            let scratch = "tw_spec_columns_\(n)"
            let definition = table.columns.map { SQL.ident($0.name) + " " + (TypeName.normalize($0.type) ?? $0.type) }.joined(separator: ", ")
            var declared: [String: String] = [:]
            do {
                try connection.execute("SAVEPOINT tw_columns; CREATE TEMPORARY TABLE \(SQL.ident(scratch)) (\(definition)) ON COMMIT DROP")
                declared = try types(connection, "SELECT $1::regclass AS rel", ["pg_temp." + SQL.ident(scratch)])
                try connection.execute("RELEASE SAVEPOINT tw_columns")
            } catch let error as PostgresError {
                _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_columns")
                out.append("\(table.qualifiedName): the spec's columns are not valid here: \(error.brief)")
                continue
            }
            for column in table.columns {
                let name = "\(table.qualifiedName).\(column.name)"
                guard let actual = live[column.name] else {
                    out.append("\(name): in the spec (\(declared[column.name] ?? column.type)), not in the database; tenantwall never adds a column to a table that exists: remove it from the spec, or add it with a migration of your own")
                    continue
                }
                if let wanted = declared[column.name], wanted != actual {
                    out.append("\(name): the spec says \(wanted), the database has \(actual); tenantwall never changes a column's type: correct the spec")
                }
            }
            let named = Set(table.columns.map(\.name))
            for (column, type) in live.sorted(by: { $0.key < $1.key }) where !named.contains(column) {
                out.append("\(table.qualifiedName).\(column): in the database (\(type)), not in the spec; describe it, so that grants and verify's probes know it")
            }
        }
        return out
    }

    /// Column name → type as `format_type` spells it.
    static func types(_ connection: Connection, _ relation: String, _ parameters: [String?]) throws -> [String: String] {
        let rows = try connection.query("""
            SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
            FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = (\(relation)) AND a.attnum > 0 AND NOT a.attisdropped
            """, parameters).named
        return Dictionary(rows.compactMap { row in row["name"].map { ($0, row["type"] ?? "") } }, uniquingKeysWith: { a, _ in a })
    }
}
