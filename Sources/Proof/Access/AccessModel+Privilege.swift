import Catalog

extension AccessModel {
    /// What `role` holds for `command` on `table`: its own grants, PUBLIC's, and those of every role it can SET
    /// ROLE to; the owner (or a member of it) holds everything. Without USAGE on the table's schema nobody can
    /// name the table, whatever it was granted (how TimescaleDB's chunks are walled off).
    static func privilege(of role: RoleFacts, on table: DatabaseCatalog.Table, for command: AccessCommand) -> AccessPrivilege {
        let grantees = role.grantees
        // `schemaUsers` always lists the schema's owner when read from a server; empty means a hand-built catalog
        // that did not say, which is taken as USAGE for everyone.
        if !table.schemaUsers.isEmpty && grantees.isDisjoint(with: table.schemaUsers) { return .none }
        if role.owns(table) { return .table }
        let privilege = command.rawValue
        if table.grants.contains(where: { Self.grant($0, of: privilege, to: grantees) }) { return .table }
        guard command.grantsColumns else { return .none }
        let named = Set(table.columnPrivileges.filter { Self.grant($0.grantee, of: privilege, to: grantees) }.flatMap(\.columns))
        if !named.isEmpty { return .columns(table.columns.filter(named.contains)) }
        return table.columnGrants.contains(where: { Self.grant($0, of: privilege, to: grantees) }) ? .columns([]) : .none
    }

    /// Whether `grantee:PRIVILEGE` grants `privilege` to one of `grantees`.
    static func grant(_ text: String, of privilege: String, to grantees: Set<String>) -> Bool {
        guard let colon = text.lastIndex(of: ":"), text[text.index(after: colon)...] == privilege else { return false }
        return grantees.contains(String(text[..<colon]))
    }
}
