/// Moving the session's own rows to another tenant: `WITH CHECK` on UPDATE must refuse it.
struct UpdateMoveRow: TableCheck {
    let info = CheckInfo(id: "update-move-row", tries: "`UPDATE t SET tenant_id = <other>` (no WHERE)", passesWhen: "rejected (42501; 44000 through a walled table's view); other tenants' rows unchanged")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.update) else { return [] }
        return [try probe.othersUnchanged(info.id, target, "UPDATE", "UPDATE that moves the session's rows to another tenant is rejected",
                                          "UPDATE \(probe.name) SET \(probe.scope) = \(probe.literal(target.victim.id))")]
    }
}
