/// TW120: a partition or chunk the application can read directly, where the parent's policies do not apply.
public struct PartitionReadable: AuditRule {
    public let id = "TW120", name = "partition-readable", severity = Severity.error
    public let title = "partition or chunk readable directly by an application role"
    public let explanation = "Naming a partition applies only its own RLS settings; TimescaleDB chunks inherit grants but not policies."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        return catalog.tables.filter { t in t.parent.map(protected.contains) ?? false }.compactMap { part in
            let readers = Set(catalog.grantees(part, privilege: "SELECT").filter { $0 == "PUBLIC" || input.isApp($0) })
            let closed = part.rls && part.forced && catalog.policies(on: part).isEmpty
            guard !readers.isEmpty, !closed else { return nil }
            return finding("\(part.qualified) (of \(part.parent!)) is readable by \(readers.sorted().joined(separator: ", ")) without its parent's policies",
                           at: .object("table", part.qualified),
                           fix: "ALTER TABLE \(Fix.table(part.qualified)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; REVOKE ALL ON \(Fix.table(part.qualified)) FROM \(readers.sorted().map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));")
        }
    }
}
