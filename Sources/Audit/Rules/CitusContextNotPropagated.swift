/// TW135: on Citus, the tenant context does not reach the workers.
public struct CitusContextNotPropagated: AuditRule {
    public let id = "TW135", name = "citus-context-not-propagated", severity = Severity.error
    public let title = "tenant context that does not reach the Citus workers"
    public let explanation = "Only SET LOCAL inside a transaction, with citus.propagate_set_commands = 'local', reaches the shards: set_config() and a session SET stay on the coordinator, and the workers see no tenant (zero rows, no error). The setter must SET LOCAL both, or the application's roles must carry citus.propagate_set_commands = 'local' (ALTER ROLE … SET)."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog, !catalog.distributed.isEmpty else { return [] }
        var out: [Finding] = []
        let setters = catalog.functions.filter { $0.name == "set_tenant_context" }
        let propagatingSetter = setters.contains { ($0.body ?? "").lowercased().contains("citus.propagate_set_commands") }
        for setter in setters {
            let body = (setter.body ?? "").lowercased()
            if body.contains("set_config") && !body.contains("set local") {
                out.append(finding("\(setter.qualified)(\(setter.signature)) sets the context with set_config(), which Citus does not carry to the workers",
                                   at: .object("function", "\(setter.qualified)(\(setter.signature))"),
                                   fix: "SET LOCAL citus.propagate_set_commands = 'local'; then SET LOCAL the setting (tenantwall generates this with distribution: citus)"))
            }
        }
        if !propagatingSetter {
            for role in input.appRoles.sorted() where !(catalog.roleSettings[role] ?? []).contains("citus.propagate_set_commands=local") {
                out.append(finding("\(role) does not carry citus.propagate_set_commands = 'local', and no setter sets it: its SET LOCAL stays on the coordinator",
                                   at: .object("role", role), fix: "ALTER ROLE \(Fix.ident(role)) SET citus.propagate_set_commands = 'local';"))
            }
        }
        return out
    }
}
