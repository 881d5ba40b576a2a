/// TW506: a volatile default on a new column rewrites the whole table.
public struct VolatileDefault: AuditRule {
    public let id = "TW506", name = "volatile-default", severity = Severity.warning
    public let title = "column added with a volatile default"
    public let explanation = "Constant defaults are free since PostgreSQL 11; a volatile one (random(), gen_random_uuid(), clock_timestamp()) rewrites every row under a lock."
    public init() {}
    static let volatile: Set<String> = ["random", "gen_random_uuid", "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval", "txid_current"]
    public func check(_ input: AuditInput) -> [Finding] {
        MigrationStatement.all(input).flatMap { s in
            s.alterCommands.filter { $0["subtype"] as? String == "AT_AddColumn" }.compactMap { cmd in
                let column = (cmd["def"] as? [String: Any])?["ColumnDef"] as? [String: Any] ?? [:]
                let functions = strings(in: column["constraints"] ?? [], keys: ["sval"]).filter { Self.volatile.contains($0) }
                guard let f = functions.first else { return nil }
                return finding("\(s.relation ?? "?").\(column["colname"] as? String ?? "?") defaults to \(f)()", at: s.location,
                               fix: "add the column without a default, set the default, then backfill in batches")
            }
        }
    }
}
