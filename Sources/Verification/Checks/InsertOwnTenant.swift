/// The positive control for the write wall: a wall that refuses everyone hides a broken policy as well as a
/// leak. (Tenants tables take new rows in admin mode only, so only tenant tables are tried.)
struct InsertOwnTenant: TableCheck {
    let info = CheckInfo(id: "insert-own-tenant", tries: "`INSERT` of the session's own row (a control: a wall that refuses everyone hides a broken policy)",
                         passesWhen: "accepted")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.insert), probe.table.isolation == .tenant else { return [] }
        let sql = probe.insert(tenant: target.actor.id, seed: 901)
        let session = probe.session
        let allowed = try session.act(target.role, .tenant(target.actor.id)) { session.attempt(sql) }
        var out = probe.result(info.id, target.role, target.actor.label, "INSERT", "INSERT of the session's own row is accepted (the wall is not a wall to everyone)",
                               session.evidence, expected: "accepted", actual: allowed.error?.brief ?? "accepted", passed: allowed.error == nil)
        out.tap = probe.tap(target.role, .tenant(target.actor.id), [.run(sql)], pass: "$1 NOT LIKE 'ERR:%'",
                            "\(info.id) as \(target.role) (tenant \(target.actor.label)): the session's own row is accepted")
        return [out]
    }
}
