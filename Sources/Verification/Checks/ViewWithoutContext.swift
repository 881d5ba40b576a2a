/// Views over the table that an access role can read must not show rows without a tenant context (a view runs
/// as its owner unless `security_invoker`); materialized views never apply RLS, so none may be readable.
struct ViewWithoutContext: TableCheck {
    let info = CheckInfo(id: "view-without-context", tries: "each view (or materialized view) over the table, or over a walled table's storage, that an access role can read, with no context",
                         passesWhen: "0 rows (a view without `security_invoker` shows everything; a materialized view always fails)")
    let scope = CheckScope.view

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let (view, materialized) = target.view
        let sql = "SELECT count(*) FROM \(view)"
        let session = probe.session
        let attempt = try session.act(target.role, .none) { session.attempt(sql) }
        let title = materialized ? "materialized view \(view) over \(probe.table.qualifiedName) is not readable (it never applies RLS)"
                                 : "view \(view) over \(probe.table.qualifiedName) shows nothing without a tenant context"
        var out = probe.result(info.id, target.role, "none", "SELECT", title,
                               session.evidence, expected: "0 rows", actual: attempt.error?.brief ?? "\(attempt.result?.scalar ?? "?") rows",
                               passed: !materialized && (attempt.error != nil || attempt.result?.scalar == "0"))
        out.tap = probe.tap(target.role, .none, [.value(sql)], pass: materialized ? "false" : "($1 = '0' OR $1 LIKE 'ERR:%')", "\(info.id) as \(target.role): \(title)")
        return [out]
    }
}
