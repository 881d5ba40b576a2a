import PolicyGen
import Quoting

/// Admin mode cannot be typed: a hand-set admin token gives the application role nothing, and is not admin mode
/// even for the admin role.
struct AdminForgedToken: TableCheck {
    let info = CheckInfo(id: "admin-forged-token-{app,admin}", tries: "`SET tenantwall.admin_token` by hand",
                         passesWhen: "the app sees one tenant; `admin_mode_enabled()` is false")
    let scope = CheckScope.admin

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let r = probe.spec.roles, session = probe.session, tenant = ProbeSession.Context.tenant(probe.tenants[0])
        let forge = "SET LOCAL \(HelperCore.adminTokenSetting) = '00000000-0000-4000-8000-000000000001'"
        let enabled = "SELECT \(SQL.qualified(probe.spec.tenancy.helperSchema, "admin_mode_enabled"))()::text"
        var out: [CheckResult] = []
        if probe.table.commands(for: r.app).contains(.select) {
            let seen = try session.act(r.app, tenant) { () -> String in
                try session.run(forge)
                return (try? session.read(probe.distinctProbeTenants)) ?? "error"
            }
            var result = probe.result("admin-forged-token-app", r.app, "A", "ADMIN", "a forged admin token gives the application role nothing",
                                      session.evidence, expected: "1 tenant visible", actual: "\(seen) tenant(s) visible", passed: seen == "1")
            result.tap = probe.tap(r.app, tenant, [.exec(forge), .value(probe.distinctProbeTenants)], pass: "$1 = '1'",
                                   "admin-forged-token-app: a forged admin token gives \(r.app) nothing")
            out.append(result)
        }
        let forged = try session.act(r.admin, tenant) { () -> String in
            try session.run(forge)
            return (try? session.read(enabled)) ?? "error"
        }
        var result = probe.result("admin-forged-token-admin", r.admin, "A", "ADMIN", "a forged admin token is not admin mode, even for the admin role",
                                  session.evidence, expected: "false", actual: forged, passed: forged == "false")
        result.tap = probe.tap(r.admin, tenant, [.exec(forge), .value(enabled)], pass: "$1 = 'false'",
                               "admin-forged-token-admin: a forged admin token is not admin mode for \(r.admin)")
        out.append(result)
        return out
    }
}
