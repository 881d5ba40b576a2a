/// UPDATE with no WHERE: a statement that reads no column is checked against the UPDATE policy alone (with a
/// WHERE, PostgreSQL adds the SELECT policy, which would hide a broken UPDATE policy behind an intact one).
struct UpdateOtherTenant: TableCheck {
    let info = CheckInfo(id: "update-other-tenant", tries: "`UPDATE t SET tenant_id = <own>` with no WHERE: checked against the UPDATE policy alone (a WHERE would add the SELECT policy and hide a broken one)",
                         passesWhen: "other tenants' rows unchanged (compared as the verifier, in the same savepoint); only 42501 counts as a refusal (and 44000, the check option, through a walled table's view)")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.update) else { return [] }
        return [try probe.othersUnchanged(info.id, target, "UPDATE", "UPDATE with no WHERE changes no other tenant's row",
                                          "UPDATE \(probe.name) SET \(probe.scope) = \(probe.literal(target.actor.id))")]
    }
}
