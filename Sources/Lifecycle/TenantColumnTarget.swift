import PolicyGen
import Postgres
import Quoting

/// Reads the catalog for `tenant-column add`: resolves `--from` into a `TenantColumnPlan` and says which steps
/// a table has already been through, so that a rerun after an interruption resumes where it stopped.
public struct TenantColumnTarget {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The plan for `schema.table`: checks the table, resolves the parent and the column's type.
    /// - Parameter constantType: the tenant type for `tenant:<id>` (from `--type` or the spec).
    public func plan(schema: String, table: String, column: String, source: TenantColumnSource, constantType: String?,
                     parentColumn: String?, batchSize: Int) throws -> TenantColumnPlan {
        let info = try connection.query("""
            SELECT c.oid::text, c.relkind::text, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """, [schema, table]).named
        guard let row = info.first, let oid = row["oid"] else { throw TenantColumnError(step: nil, message: "no table \(schema).\(table)") }
        guard row["relkind"] == "r" else {
            throw TenantColumnError(step: nil, message: "\(schema).\(table) is not a plain table (relkind \(row["relkind"] ?? "?")): partitioned tables, views and foreign tables are not supported")
        }
        guard !row.bool("relrowsecurity") else {
            throw TenantColumnError(step: nil, message: "\(schema).\(table) already has row-level security: the fill would see only some rows; onboard the table before enabling RLS")
        }
        let resolved: TenantColumnPlan.Source, type: String
        switch source {
        case .constant(let id):
            guard let constantType else { throw TenantColumnError(step: nil, message: "tenant:<id> needs the tenant type: give --type or --spec") }
            // Refuses an id the type cannot hold before anything changes.
            _ = try connection.query("SELECT $1::\(constantType)", [id])
            (resolved, type) = (.constant(id), constantType)
        case .foreignKey(let name):
            let parent = try foreignKey(oid: oid, named: name, table: "\(schema).\(table)", tenantColumn: parentColumn ?? column)
            (resolved, type) = (.parent(parent), try columnType(parent.schema, parent.table, parent.tenantColumn))
        case .parent(let parentSchema, let parentTable, let tenantColumn, let via):
            let parent = try reference(oid: oid, via: via, parentSchema: parentSchema ?? schema, parentTable: parentTable, tenantColumn: tenantColumn)
            (resolved, type) = (.parent(parent), try columnType(parent.schema, parent.table, parent.tenantColumn))
        }
        return TenantColumnPlan(schema: schema, table: table, column: column, type: type, source: resolved, batchSize: batchSize)
    }

    func foreignKey(oid: String, named name: String, table: String, tenantColumn: String) throws -> TenantColumnPlan.Parent {
        let rows = try connection.query("""
            SELECT a.attname AS local, pn.nspname AS schema, p.relname AS parent, pa.attname AS key, cardinality(k.conkey) AS n
            FROM pg_constraint k JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
            WHERE k.conrelid = $1::oid AND k.conname = $2 AND k.contype = 'f'
            """, [oid, name]).named
        guard let fk = rows.first else { throw TenantColumnError(step: nil, message: "\(table) has no foreign key named \(name)") }
        guard fk.int("n") == 1 else { throw TenantColumnError(step: nil, message: "foreign key \(name) has several columns: only single-column keys are supported") }
        return TenantColumnPlan.Parent(localColumn: fk["local"] ?? "", schema: fk["schema"] ?? "", table: fk["parent"] ?? "", key: fk["key"] ?? "", tenantColumn: tenantColumn)
    }

    /// The parent key `via` matches: the column a foreign key from `via` references, else the parent's
    /// single-column primary key.
    func reference(oid: String, via: String, parentSchema: String, parentTable: String, tenantColumn: String) throws -> TenantColumnPlan.Parent {
        let key = try connection.query("""
            SELECT coalesce(
              (SELECT pa.attname FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                 JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
               WHERE k.conrelid = $1::oid AND k.contype = 'f' AND cardinality(k.conkey) = 1 AND a.attname = $2 AND k.confrelid = to_regclass($3)
               LIMIT 1),
              (SELECT pa.attname FROM pg_constraint k JOIN pg_attribute pa ON pa.attrelid = k.conrelid AND pa.attnum = k.conkey[1]
               WHERE k.conrelid = to_regclass($3) AND k.contype = 'p' AND cardinality(k.conkey) = 1))
            """, [oid, via, SQL.qualified(parentSchema, parentTable)]).scalar
        guard let key else {
            throw TenantColumnError(step: nil, message: "\(via) does not reference \(parentSchema).\(parentTable) by a foreign key, and the parent has no single-column primary key")
        }
        return TenantColumnPlan.Parent(localColumn: via, schema: parentSchema, table: parentTable, key: key, tenantColumn: tenantColumn)
    }

    func columnType(_ schema: String, _ table: String, _ column: String) throws -> String {
        let type = try connection.query("""
            SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped
            """, [SQL.qualified(schema, table), column]).scalar
        guard let type else { throw TenantColumnError(step: nil, message: "the parent \(schema).\(table) has no column \(column)") }
        return type
    }
}
