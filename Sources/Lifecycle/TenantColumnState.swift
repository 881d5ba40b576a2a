import PolicyGen
import Postgres
import Quoting

/// How far a table is through `tenant-column add`, read from the catalog: what lets every step be skipped
/// when done and a rerun resume.
struct TenantColumnState {
    /// The column's type when it exists.
    var columnType: String?
    var notNull = false
    /// The DEFAULT (constant form) or the trigger (parent form) is in place.
    var fillInstalled = false
    /// The temporary check: nil absent, false not validated yet, true validated.
    var check: Bool?
    /// A valid index whose first column is the tenant column (the run's own or one the team built).
    var validIndex = false
    /// The run's own index, left invalid by an interrupted `CREATE INDEX CONCURRENTLY`.
    var invalidIndex = false

    static func read(_ connection: Connection, _ plan: TenantColumnPlan) throws -> TenantColumnState {
        let table = SQL.qualified(plan.schema, plan.table)
        let rows = try connection.query("""
            SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.atthasdef,
              EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = a.attrelid AND g.tgname = $3) AS trigger,
              (SELECT k.convalidated FROM pg_constraint k WHERE k.conrelid = a.attrelid AND k.conname = $4) AS check,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indkey[0] = a.attnum AND i.indisvalid) AS valid_index,
              EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                      WHERE i.indrelid = a.attrelid AND c.relname = $5 AND NOT i.indisvalid) AS invalid_index
            FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped
            """, [table, plan.column, plan.triggerName, plan.checkName, plan.indexName]).named
        guard let row = rows.first else { return TenantColumnState() }
        var state = TenantColumnState(columnType: row["type"], notNull: row.bool("attnotnull"))
        switch plan.source {
        case .constant: state.fillInstalled = row.bool("atthasdef")
        case .parent: state.fillInstalled = row.bool("trigger")
        }
        state.check = row["check"].map { $0 == "t" }
        state.validIndex = row.bool("valid_index")
        state.invalidIndex = row.bool("invalid_index")
        return state
    }
}
