import Quoting

/// A witness as one pgTAP test that passes only when PostgreSQL refuses it (prove's `--emit-pgtap`): the same
/// statements as the run, each captured into `pg_temp.tw_r` (its result, or `ERR:<SQLSTATE>`) instead of
/// stopping the script, then judged as the superuser. The test also fails when the row cannot be written or the
/// context cannot be set as the witness has it: it then shows nothing either way.
extension WitnessPlan {
    func tap(_ description: String) -> String {
        func capture(_ key: String, _ call: String, _ sql: String) -> String {
            "INSERT INTO pg_temp.tw_r VALUES (\(SQL.literal(key)), pg_temp.\(call)(\(SQL.dollarQuoted(sql))));"
        }
        func slot(_ key: String) -> String { "(SELECT v FROM pg_temp.tw_r WHERE k = \(SQL.literal(key)))" }
        var lines = ["SAVEPOINT tw_witness;", "SET LOCAL session_replication_role = replica;"]
        var conditions: [String] = []
        if command.needsRowFirst {
            lines.append(capture("row", "tw_run", placement))
            conditions.append("\(slot("row")) = '1'")
        }
        if blind != nil {
            lines.append(capture("at", "tw_value", "SELECT tableoid::oid::text || ' ' || ctid::text FROM \(home.qualified) WHERE \(match) LIMIT 1"))
            if targeted != nil {
                // The superuser's cursor on that row, for the blind statement on it alone (closed with the savepoint).
                lines.append("DECLARE \(Self.cursor) CURSOR FOR SELECT FROM \(table.qualified) WHERE tableoid::oid::text || ' ' || ctid::text = \(slot("at")) FOR UPDATE;")
                lines.append("MOVE NEXT IN \(Self.cursor);")
            }
        }
        lines += recipe.setup.enumerated().map { capture("s\($0.offset)", "tw_run", $0.element) }
        lines.append("SET LOCAL ROLE \(SQL.ident(role));")
        lines += recipe.asRole.enumerated().map { capture("r\($0.offset)", "tw_run", $0.element) }
        let context = recipe.checks.isEmpty ? "true" : recipe.checks.map { "(\($0.sql))" }.joined(separator: " AND ")
        lines.append(capture("context", "tw_value", "SELECT (\(context))::text"))
        conditions.append("\(slot("context")) = 'true'")
        switch command {
        case .select:
            lines.append(capture("result", "tw_value", statement))
            conditions.append("\(slot("result")) IN ('0', 'ERR:42501')")
        case .insert, .truncate:
            lines.append(capture("result", "tw_run", statement))
            conditions.append("\(slot("result")) LIKE 'ERR:%'")
        case .update, .delete:
            lines.append(capture("result", "tw_run", statement))
            lines.append(capture("blind", "tw_run", targeted ?? blind ?? statement))
            conditions.append("EXISTS (SELECT 1 FROM \(home.qualified) WHERE tableoid::oid::text || ' ' || ctid::text = \(slot("at")))")
        }
        lines.append("RESET ROLE;")
        lines.append("SELECT ok(COALESCE(\(conditions.joined(separator: " AND ")), false), \(SQL.literal(description)));")
        lines.append("ROLLBACK TO SAVEPOINT tw_witness;")
        return lines.joined(separator: "\n")
    }
}
