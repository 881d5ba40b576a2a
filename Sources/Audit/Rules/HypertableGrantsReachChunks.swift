/// TW123: a protected hypertable with table-level privileges for an application role or PUBLIC.
///
/// TimescaleDB copies a hypertable's table-level ACL to every chunk it creates (not its column privileges, and
/// not its policies), so such a privilege holds on each new chunk from the instant it exists: a role that can
/// use the chunk schema reads, writes or deletes every tenant's rows in it by naming it, until something
/// revokes the copy. Column-level grants give the same access through the hypertable and nothing on chunks.
public struct HypertableGrantsReachChunks: AuditRule {
    public let id = "TW123", name = "hypertable-grants-reach-chunks", severity = Severity.error
    public let title = "hypertable privilege that every new chunk copies"
    public let explanation = "TimescaleDB copies the hypertable's table-level grants, but not its policies, to each new chunk."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        return input.protectedTables.filter { catalog.hypertables.contains($0.qualified) }.compactMap { table in
            let copied = table.grants.filter { grant in
                let parts = grant.split(separator: ":").map(String.init)
                return parts.count == 2 && (parts[0] == "PUBLIC" || input.isApp(parts[0])) && parts[1] != "REFERENCES"
            }
            guard !copied.isEmpty else { return nil }
            let columns = table.columns.map(Fix.ident).joined(separator: ", ")
            let fixes = Dictionary(grouping: copied.map { $0.split(separator: ":").map(String.init) }, by: { $0[0] }).sorted { $0.key < $1.key }.map { role, grants in
                let who = role == "PUBLIC" ? role : Fix.ident(role)
                let columnLevel = grants.map { $0[1] }.filter { ["SELECT", "INSERT", "UPDATE"].contains($0) }.sorted().map { "\($0) (\(columns))" }
                return "REVOKE ALL ON \(Fix.table(table.qualified)) FROM \(who);"
                    + (columnLevel.isEmpty || role == "PUBLIC" ? "" : " GRANT \(columnLevel.joined(separator: ", ")) ON \(Fix.table(table.qualified)) TO \(who);")
            }
            return finding("hypertable \(table.qualified) grants \(copied.sorted().joined(separator: ", ")) at table level; every new chunk copies them and can be named directly",
                           at: .object("table", table.qualified), fix: fixes.joined(separator: " "))
        }
    }
}
