/// TW120: a partition or chunk the application can read or write directly, where the parent's policies do not
/// apply.
///
/// A partition is closed when it has RLS forced and either no policy, or policies of its own that each hold the
/// tenant wall (the tenant column compared with the context, no branch that is always true or admits a missing
/// context): naming it then applies a wall of its own. A TimescaleDB chunk refuses FORCE, so it is
/// closed by RLS enabled with no policy (only its owner, never an application role, bypasses that), or when no
/// application role that holds a privilege on it may use its schema (naming it fails with 42501).
public struct PartitionReadable: AuditRule {
    public let id = "TW120", name = "partition-readable", severity = Severity.error
    public let title = "partition or chunk readable directly by an application role"
    public let explanation = "Naming a partition applies only its own RLS settings; TimescaleDB chunks copy their hypertable's table-level grants but not its policies."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        return catalog.tables.filter { t in Self.root(of: t, catalog).map(protected.contains) ?? false }.compactMap { part in
            let chunk = catalog.isChunk(part)
            // An owner holds every privilege without a grant: an application role that owns the partition counts.
            let holders = Set(["SELECT", "INSERT", "UPDATE", "DELETE"].flatMap { catalog.grantees(part, privilege: $0) }.filter { $0 == "PUBLIC" || input.isApp($0) })
                .union(input.isApp(part.owner) ? [part.owner] : [])
            let reach = holders.filter { part.schemaUsers.contains("PUBLIC") || part.schemaUsers.contains($0) }
            let closed = part.rls && (part.forced || chunk) && Self.ownWall(catalog.policies(on: part), tenantColumn: input.tenantColumn)
            guard !reach.isEmpty, !closed else { return nil }
            let roles = reach.sorted().map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", ")
            let table = Fix.table(part.qualified)
            // TimescaleDB refuses FORCE on a chunk (0A000 operation not supported on chunk tables).
            let rls = chunk ? "ENABLE ROW LEVEL SECURITY" : "ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"
            return finding("\(chunk ? "chunk" : "partition") \(part.qualified) (of \(part.parent!)) is reachable by \(reach.sorted().joined(separator: ", ")) without its parent's policies",
                           at: .object("table", part.qualified),
                           fix: "ALTER TABLE \(table) \(rls); REVOKE ALL ON \(table) FROM \(roles);")
        }
    }

    /// No policy at all, or permissive policies that each compare the tenant column with the context and have no
    /// branch that admits every row or a missing context.
    static func ownWall(_ policies: [AuditCatalog.Policy], tenantColumn: String) -> Bool {
        policies.filter(\.permissive).allSatisfy { policy in
            [policy.using, policy.check].compactMap { PolicyExpression($0) }.allSatisfy { e in
                e.contextComparisons.contains { $0.column == tenantColumn } && !e.constantTrue && !e.trueBranch && !e.failOpen
            } && (policy.using != nil || policy.check != nil)
        }
    }

    /// The top of a table's partition (or inheritance) tree: a sub-partition's parent is itself a partition, not a
    /// protected table, yet naming the leaf applies only the leaf's own RLS, like any other partition.
    static func root(of table: AuditCatalog.Table, _ catalog: AuditCatalog) -> String? {
        var top = table.parent, seen: Set<String> = []
        while let current = top, seen.insert(current).inserted, let up = catalog.table(current)?.parent { top = up }
        return top
    }
}
