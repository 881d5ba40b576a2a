/// TW134: the owner of a Citus distributed table cannot log in.
public struct CitusOwnerCannotLogIn: AuditRule {
    public let id = "TW134", name = "citus-owner-cannot-log-in", severity = Severity.error
    public let title = "owner of a distributed table cannot log in"
    public let explanation = "Citus connects to the workers as the table owner to move, split and isolate shards: with NOLOGIN (or CONNECTION LIMIT 0) those operations fail (\"role is not permitted to log in\"). Give it LOGIN and admit it on the workers from the cluster's nodes only."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog, !catalog.distributed.isEmpty else { return [] }
        let owners = Set(catalog.tables.filter { catalog.distributed.contains($0.qualified) }.map(\.owner))
        return owners.sorted().compactMap { owner in
            guard let role = catalog.roles.first(where: { $0.name == owner }), !role.canLogin, !role.superuser else { return nil }
            return finding("\(owner) owns distributed tables but cannot log in: Citus's shard moves, splits and tenant isolation run as it",
                           at: .object("role", owner), fix: "ALTER ROLE \(Fix.ident(owner)) LOGIN CONNECTION LIMIT -1;")
        }
    }
}
