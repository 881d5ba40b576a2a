import Catalog
import Foundation
import Postgres
import Proof
import Quoting

/// The columns of a witness row whose values their type refuses, each pinned to one it accepts: what a second
/// witness is asked for with, so it is another model rather than the same one again. The solver reads a uuid
/// column through its text and may give it `-` (`tenant_id::text LIKE current_setting(…) || '%'`); PostgreSQL
/// then refuses the row with 22P02 before any policy is asked.
enum ValidValues {
    /// `"col" = <value>` for each column of `object` whose witness value fails its cast on `conninfo`: the first
    /// value the table holds there, else one made for the type. Empty when every value casts.
    static func assumptions(_ witness: Witness, object: String, catalog: DatabaseCatalog, conninfo: String) -> [Proof.Predicate] {
        guard let table = catalog.table(object), let connection = try? Connection(conninfo) else { return [] }
        var out: [Proof.Predicate] = []
        for column in table.attributes {
            guard let value = witness.row[column.name] ?? nil, let literal = SQLLiteralValue(value), !literal.isNull else { continue }
            do {
                _ = try connection.query("SELECT CAST(\(literal.sql) AS \(column.type)) IS NULL")
                continue
            } catch let error as PostgresError where (error.sqlState ?? "").hasPrefix("22") {
                guard let valid = accepted(column, object: object, connection) else { continue }
                out.append(.expression("\(SQL.ident(column.name)) = \(valid)"))
            } catch {
                continue
            }
        }
        return out
    }

    /// A value of the column's type: one the table already holds (read as the superuser of a scratch database),
    /// else a fresh uuid or a small number; nil for any other type.
    static func accepted(_ column: DatabaseCatalog.Column, object: String, _ connection: Connection) -> String? {
        let (schema, name) = WitnessTable.split(object)
        let sample = try? connection.query("SELECT \(SQL.ident(column.name))::text FROM \(SQL.qualified(schema, name)) WHERE \(SQL.ident(column.name)) IS NOT NULL LIMIT 1").scalar
        if let sample, let literal = SQLLiteralValue.typed(sample, column.type) { return literal.sql }
        switch column.type.lowercased() {
        case "uuid": return SQL.literal(UUID().uuidString.lowercased()) + "::uuid"
        case "smallint", "integer", "bigint", "numeric": return "1"
        default: return nil
        }
    }
}
