/// The application's own setters: functions outside tenantwall that set the tenant setting, or another
/// setting the policies read (an admin switch). Once tenantwall binds tenants, each is replaced by a
/// transaction-scoped shim of the same signature calling tenantwall's setter (the tenant setting), or has
/// EXECUTE revoked (anything else: a switch any session could flip); the comment says what it does today.
public enum LegacySetters {
    public static func find(_ database: ExistingDatabase, tenantSetting: String, readByPolicies: [String]) -> [SpecDraft.LegacySetter] {
        database.functions.compactMap { function in
            let writes = SettingWrites.read(function.body ?? "")
            if let write = writes.first(where: { $0.setting == tenantSetting }) {
                // The shim sets the tenant from the function's one argument; a setter of another shape can only be revoked.
                let action: LegacyAction = LegacyFunction(signature: function.signature, action: .replace).parts?.arguments.count == 1 ? .replace : .revoke
                return SpecDraft.LegacySetter(function: LegacyFunction(signature: function.signature, action: action), today: describe(write, tenant: true))
            }
            if let write = writes.first(where: { readByPolicies.contains($0.setting) }) {
                return SpecDraft.LegacySetter(function: LegacyFunction(signature: function.signature, action: .revoke), today: describe(write, tenant: false))
            }
            return nil
        }
    }

    static func describe(_ write: SettingWrite, tenant: Bool) -> String {
        let scope: String
        switch write.session {
        case true?: scope = "for the session, so a pooled connection carries it into the next client's transactions"
        case false?: scope = "for the transaction"
        case nil: scope = "(for the session or the transaction, as its caller says)"
        }
        return tenant ? "sets the tenant (\(write.setting)) \(scope)"
            : "sets \(write.setting), which the policies read, \(scope); any session can also SET it itself"
    }
}
