/// What each role may do on a table whose spec gives no `grants`: the least that makes the isolation
/// mode useful. Tenant tables: the app reads and writes its own rows, read-only roles read, the admin does
/// everything (in admin mode for other tenants) but DELETE on hypertables. Shared and tenants tables: everyone reads, the admin writes.
enum DefaultGrants {
    static func apply(to table: Table, roles: Roles) -> Table {
        guard table.grants.isEmpty else { return table }
        var table = table
        // No DELETE on hypertables: new chunks copy table-level privileges, and DELETE has no column-level form.
        let all = Command.allCases.filter { table.hypertable == nil || $0 != .delete }
        let app: [Command] = table.isolation == .tenant ? all : [.select]
        table.grants = [(roles.app, app)] + roles.readonly.map { ($0, [Command.select]) } + [(roles.admin, all)]
        table.grants = table.grants.filter { !$0.role.isEmpty }
        return table
    }
}
