/// The write wall: `WITH CHECK` refuses a row of another tenant (42501, nothing else counts; through a walled
/// table's view, the check option's 44000).
struct InsertOtherTenant: TableCheck {
    let info = CheckInfo(id: "insert-other-tenant", tries: "`INSERT` of another tenant's row", passesWhen: "rejected (42501; through a walled table's view, 44000: its check option)")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.insert) else { return [] }
        let sql = probe.insert(tenant: target.victim.id, seed: 900)
        let session = probe.session
        let attempt = try session.act(target.role, .tenant(target.actor.id)) { session.attempt(sql) }
        var out = probe.result(info.id, target.role, target.actor.label, "INSERT", "INSERT of another tenant's row is rejected", session.evidence,
                               expected: probe.table.isWalled ? "42501 or 44000 (the wall view's check option)" : "42501 (row-level security)",
                               actual: attempt.error?.brief ?? "row accepted", passed: probe.refusedByWall(attempt.error))
        out.tap = probe.tap(target.role, .tenant(target.actor.id), [.run(sql)], pass: probe.tapRefused("$1"),
                            "\(info.id) as \(target.role) (tenant \(target.actor.label)): another tenant's row is rejected")
        return [out]
    }
}
