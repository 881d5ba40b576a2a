import PolicyGen
import Postgres
import Quoting

/// A table as the live catalog has it, read by the verifier before it writes probe rows: the columns with
/// their types, nullability, defaults, identity and generation; the unique keys, foreign keys and CHECK
/// constraints; and how it is partitioned. A database built by hand has columns, constraints and partitions
/// the spec does not describe, and a probe row must satisfy all of them to be written at all.
struct LiveTable {
    struct LiveColumn {
        var name: String
        /// `format_type` of the column's type (a domain or an enum by its name).
        var type: String
        /// The type a domain stands on (the column's own type otherwise), with its modifier.
        var baseType: String
        var notNull: Bool
        var hasDefault: Bool
        /// `a` (ALWAYS), `d` (BY DEFAULT) or empty.
        var identity: String
        /// `s` for a stored generated column, empty otherwise.
        var generated: String
        var isDomain: Bool
        /// The labels of an enum (or of the enum a domain stands on), in their order.
        var labels: [String]
        var isArray: Bool
        /// `atttypmod` (for `varchar(n)`: n + 4), or -1.
        var typmod: Int

        /// Written by the server whatever the INSERT says (or refused when named).
        var serverWritten: Bool { identity == "a" || !generated.isEmpty }
        /// Left to the server when not named: a default, an identity or a generated value.
        var filledByServer: Bool { hasDefault || !identity.isEmpty || !generated.isEmpty }
        /// What kind of value fits, from the type the column (or its domain) stands on.
        var category: TypeCategory { TypeCategory(TypeName.normalize(baseType) ?? baseType.lowercased()) }
    }

    struct ForeignKey {
        var columns: [String]
        var refSchema: String
        var refTable: String
        var refColumns: [String]
        /// MATCH FULL: a NULL in one column does not switch the check off.
        var matchFull: Bool
        var refName: String { SQL.qualified(refSchema, refTable) }
    }

    struct Partition {
        var name: String
        /// `pg_get_expr(relpartbound)`: `FOR VALUES FROM (…) TO (…)`, `FOR VALUES IN (…)`, `DEFAULT`, …
        var bound: String
    }

    var schema: String
    var name: String
    var columns: [LiveColumn]
    var primaryKey: [String]
    /// Unique indexes (the primary key among them), by their key columns.
    var uniques: [[String]]
    var foreignKeys: [ForeignKey]
    /// Columns that some CHECK constraint reads.
    var checked: Set<String>
    /// Partitioned tables: the key columns of every level (the table's and its partitioned partitions').
    var partitionColumns: [String]
    /// The key columns of the top level only, in key order, and its strategy (`r`, `l`, `h`).
    var topPartitionColumns: [String]
    var strategy: String?
    var partitions: [Partition]

    var qualified: String { SQL.qualified(schema, name) }
    var isPartitioned: Bool { strategy != nil }
    var hasDefaultPartition: Bool { partitions.contains { $0.bound == "DEFAULT" } }

    func column(_ name: String) -> LiveColumn? { columns.first { $0.name == name } }
}
