import Foundation
import Postgres
import Quoting

/// The table a witness runs on, as the runner needs it: each column's type (every value is cast to it, so
/// `'open'::text` lands in an enum column), what the insert may not name (generated columns), what needs
/// `OVERRIDING SYSTEM VALUE`, what can be compared with `IS NOT DISTINCT FROM`, and what it could be filled with
/// when the witness' own value is refused (a default, an enum's first label).
public struct WitnessTable: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        public var notNull: Bool
        public var identityAlways: Bool
        public var generated: Bool
        public var hasDefault: Bool
        /// Has an `=` operator (json, xml and the geometric types do not).
        public var comparable: Bool
        /// The first label of an enum type.
        public var firstLabel: String?
        /// In a unique index or the primary key.
        public var unique: Bool

        public init(name: String, type: String, notNull: Bool = false, identityAlways: Bool = false, generated: Bool = false,
                    hasDefault: Bool = false, comparable: Bool = true, firstLabel: String? = nil, unique: Bool = false) {
            self.name = name
            self.type = type
            self.notNull = notNull
            self.identityAlways = identityAlways
            self.generated = generated
            self.hasDefault = hasDefault
            self.comparable = comparable
            self.firstLabel = firstLabel
            self.unique = unique
        }
    }

    public var schema: String
    public var name: String
    public var columns: [Column]

    public init(schema: String, name: String, columns: [Column]) {
        self.schema = schema
        self.name = name
        self.columns = columns
    }

    public var qualified: String { SQL.qualified(schema, name) }

    /// `schema.table` (the access model's spelling) as schema and name: split at the first dot outside quotes.
    public static func split(_ object: String) -> (schema: String, name: String) {
        var inQuotes = false
        for index in object.indices {
            let c = object[index]
            if c == "\"" { inQuotes.toggle() } else if c == ".", !inQuotes {
                let unquote = { (s: Substring) in String(s).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).replacingOccurrences(of: "\"\"", with: "\"") }
                return (unquote(object[..<index]), unquote(object[object.index(after: index)...]))
            }
        }
        return ("public", object)
    }

    /// The table's columns as the server has them; nil when there is no such table.
    static func read(_ connection: Connection, object: String) throws -> WitnessTable? {
        let (schema, name) = split(object)
        let regclass = SQL.qualified(schema, name)
        guard try connection.query("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [regclass]).flag else { return nil }
        let rows = try connection.query("""
            SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity = 'a',
                   a.attgenerated <> '', a.atthasdef OR a.attidentity <> '',
                   t.typcategory <> 'G' AND t.typname NOT IN ('json', 'xml', '_json', '_xml'),
                   (SELECT e.enumlabel FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder LIMIT 1),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i WHERE i.indrelid = a.attrelid AND i.indisunique AND a.attnum = ANY (i.indkey))
            FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, [regclass]).rows
        let flag = { (v: String?) in v == "t" }
        let columns = rows.map { r in
            Column(name: r[0] ?? "", type: r[1] ?? "text", notNull: flag(r[2]), identityAlways: flag(r[3]), generated: flag(r[4]),
                   hasDefault: flag(r[5]), comparable: flag(r[6]), firstLabel: r[7], unique: flag(r[8]))
        }
        return WitnessTable(schema: schema, name: name, columns: columns)
    }

    /// The one table a view reads (from its rewrite rule's dependencies), nil for a table or a view over several.
    static func storage(_ connection: Connection, of table: WitnessTable) throws -> WitnessTable? {
        let rows = try connection.query("""
            SELECT DISTINCT n.nspname || '.' || c.relname
            FROM pg_catalog.pg_rewrite AS r
            JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class
            JOIN pg_catalog.pg_class AS c ON c.oid = d.refobjid AND c.relkind IN ('r', 'p')
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE r.ev_class = $1::regclass AND r.rulename = '_RETURN'
            """, [table.qualified]).rows
        guard rows.count == 1, let name = rows[0][0] else { return nil }
        let (schema, relation) = split(name)
        return try read(connection, object: SQL.qualified(schema, relation))
    }
}
