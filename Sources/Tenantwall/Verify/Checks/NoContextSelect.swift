/// Fail closed on reads: with no context, an empty one, or a malformed one (only a hand-typed SET makes one),
/// nothing is returned, or the statement fails with an error that names no probe data.
struct NoContextSelect: TableCheck {
    let info = CheckInfo(id: "select-{none,empty,malformed}-context", tries: "`SELECT` with no context, `''`, and `not-a-tenant'; --`",
                         passesWhen: "0 rows, or an error that names no probe data")
    let scope = CheckScope.noContext

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.select) else { return [] }
        let context = target.context
        let sql = "SELECT count(*) FROM \(probe.name)"
        let session = probe.session
        let attempt = try session.act(target.role, context) { session.attempt(sql) }
        let revealing = attempt.error.map { e in probe.tenants.contains { e.message.contains($0) || (e.detail ?? "").contains($0) } } ?? false
        let count = attempt.result?.scalar ?? "?"
        let which = context.label == "none" ? "no" : context.label == "empty" ? "an empty" : "a malformed"
        var out = probe.result("select-\(context.label)-context", target.role, context.label, "SELECT", "with \(which) context, SELECT returns nothing",
                               session.evidence, expected: "0 rows (or an error that names no data)", actual: attempt.error?.brief ?? "\(count) rows",
                               passed: (attempt.error == nil && count == "0") || (attempt.error != nil && !revealing))
        out.tap = probe.tap(target.role, context, [.value(sql)], pass: "($1 = '0' OR $1 LIKE 'ERR:%')",
                            "select-\(context.label)-context as \(target.role): with \(which) context, SELECT returns nothing")
        return [out]
    }
}
