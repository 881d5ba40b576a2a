/// A role without SELECT is refused outright: grants are the first wall.
struct SelectNotGranted: TableCheck {
    let info = CheckInfo(id: "select-not-granted", tries: "`SELECT` without a grant", passesWhen: "refused (42501)")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard !target.commands.contains(.select) else { return [] }
        let sql = "SELECT 1 FROM \(probe.name) LIMIT 1"
        let session = probe.session
        let attempt = try session.act(target.role, .tenant(target.actor.id)) { session.attempt(sql) }
        var out = probe.result(info.id, target.role, target.actor.label, "SELECT", "\(target.role) has no SELECT and is refused", session.evidence,
                               expected: "42501", actual: attempt.error?.brief ?? "\(attempt.result?.rows.count ?? 0) rows", passed: attempt.error?.sqlState == "42501")
        out.tap = probe.tap(target.role, .tenant(target.actor.id), [.run(sql)], pass: "$1 = 'ERR:42501'", "\(info.id) as \(target.role): refused")
        return [out]
    }
}
