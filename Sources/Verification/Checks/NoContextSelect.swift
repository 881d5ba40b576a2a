import PolicyGen

/// Fail closed on reads: with no context, an empty one, or a malformed one (only a hand-typed SET makes one),
/// nothing is returned, or the statement fails with an error that names no probe data. Under
/// `tenancy.missing_context: error` a missing or empty context must fail loudly (TW001) for every role but the
/// admin: zero rows there would mean the policies do not read through the raising wrapper.
struct NoContextSelect: TableCheck {
    let info = CheckInfo(id: "select-{none,empty,malformed}-context", tries: "`SELECT` with no context, `''`, and `not-a-tenant'; --`",
                         passesWhen: "0 rows, or an error that names no probe data (with `missing_context: error`, none and empty: the error `TW001`, the admin role aside)")
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
        if probe.spec.loudWithoutContext(target.role, context.label) {
            let code = MissingContext.sqlState
            var out = probe.result("select-\(context.label)-context", target.role, context.label, "SELECT", "with \(which) context, SELECT fails with \(code) (missing_context: error)",
                                   session.evidence, expected: "error \(code)", actual: attempt.error?.brief ?? "\(count) rows",
                                   passed: attempt.error?.sqlState == code && !revealing)
            out.tap = probe.tap(target.role, context, [.value(sql)], pass: "$1 = 'ERR:\(code)'",
                                "select-\(context.label)-context as \(target.role): with \(which) context, SELECT fails with \(code)")
            return [out]
        }
        var out = probe.result("select-\(context.label)-context", target.role, context.label, "SELECT", "with \(which) context, SELECT returns nothing",
                               session.evidence, expected: "0 rows (or an error that names no data)", actual: attempt.error?.brief ?? "\(count) rows",
                               passed: (attempt.error == nil && count == "0") || (attempt.error != nil && !revealing))
        out.tap = probe.tap(target.role, context, [.value(sql)], pass: "($1 = '0' OR $1 LIKE 'ERR:%')",
                            "select-\(context.label)-context as \(target.role): with \(which) context, SELECT returns nothing")
        return [out]
    }
}
