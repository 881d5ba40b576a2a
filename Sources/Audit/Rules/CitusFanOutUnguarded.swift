/// TW206: on Citus, a tenant's statement that forgets to name its tenant fans out to every shard, silently.
///
/// The policies still return only the tenant's rows, so nothing fails: the statement is just run on all shards
/// (32 tasks instead of 1, several times slower). Citus can report such statements where they run, through
/// `citus.multi_task_query_log_level`; tenantwall's setter sets it for the transaction it binds
/// (`tenancy.fan_out`). Info: a performance guard, not a wall.
public struct CitusFanOutUnguarded: AuditRule {
    public let id = "TW206", name = "citus-fan-out-unguarded", severity = Severity.info
    public let title = "Citus: a tenant's statement that runs on every shard goes unnoticed"
    public let explanation = "Citus routes a statement to one shard only when the query names its tenant (WHERE tenant_id = $1); the policy's qual does not route. A statement that forgets it still returns only the tenant's rows, on every shard. Setting citus.multi_task_query_log_level (warning or error) in the setter, or for the application's roles, reports or refuses such statements where they run."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog, !catalog.distributed.isEmpty else { return [] }
        let guarded = { (settings: [String]) in settings.contains { $0.hasPrefix("citus.multi_task_query_log_level=") && !$0.hasSuffix("=off") } }
        // A role setting covers every session of the role; then the setter need not say it.
        if !input.appRoles.isEmpty, input.appRoles.allSatisfy({ guarded(catalog.roleSettings[$0] ?? []) }) { return [] }
        return catalog.functions.filter { $0.name == "set_tenant_context" }.compactMap { setter in
            let body = (setter.body ?? "").lowercased()
            if body.contains("citus.multi_task_query_log_level") && !body.contains("multi_task_query_log_level = 'off'") { return nil }
            return finding("\(setter.qualified)(\(setter.signature)) binds a tenant without citus.multi_task_query_log_level: a statement of that tenant that forgets WHERE \(input.tenantColumn) = $1 runs on every shard, unnoticed",
                           at: .object("function", "\(setter.qualified)(\(setter.signature))"),
                           fix: "tenancy.fan_out: warning (or error) in the spec; or SET LOCAL citus.multi_task_query_log_level = 'warning' in the setter")
        }
    }
}
