/// DELETE with no WHERE, for the same reason as `UpdateOtherTenant`.
struct DeleteOtherTenant: TableCheck {
    let info = CheckInfo(id: "delete-other-tenant", tries: "`DELETE FROM t` with no WHERE: checked against the DELETE policy alone",
                         passesWhen: "other tenants' rows unchanged (compared as the verifier, in the same savepoint); only 42501 counts as a refusal (and 44000, the check option, through a walled table's view)")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.delete) else { return [] }
        return [try probe.othersUnchanged(info.id, target, "DELETE", "DELETE with no WHERE removes no other tenant's row", "DELETE FROM \(probe.name)")]
    }
}
