import Foundation
import Identity
import Quoting

/// How a witness' context is really set on a database, as statements: settings by `set_config(…, true)`,
/// tenantwall's readers through the setters the application calls (`set_tenant_context`, with a token signed by
/// a key added inside the transaction for the signed binding; for the role binding, a tenant role of the run's
/// own mapped to the tenant), the admin gate through `enable_admin_mode`.
///
/// Every variable is then read back as the role (`checks`), so a run counts only when the context really was the
/// witness': a setter that does something else is caught rather than trusted.
struct ContextRecipe: Sendable, Equatable {
    /// As the superuser, before `SET LOCAL ROLE`.
    var setup: [String] = []
    /// As the role, after `SET LOCAL ROLE`.
    var asRole: [String] = []
    /// Boolean SQL expressions that must be true as the role once the context is set, by variable.
    var checks: [Check] = []
    /// The role binding: the tenant the run's own tenant role is mapped to (the plan creates it and acts as it).
    var tenantRole: (mapping: TenantRoleMapping, tenant: SQLLiteralValue)?

    static func == (a: ContextRecipe, b: ContextRecipe) -> Bool {
        a.setup == b.setup && a.asRole == b.asRole && a.checks == b.checks
            && a.tenantRole?.mapping == b.tenantRole?.mapping && a.tenantRole?.tenant == b.tenantRole?.tenant
    }

    struct Check: Sendable, Equatable {
        var variable: String
        var sql: String
    }

    /// Why a variable cannot be set.
    struct Unsettable: Error, Equatable {
        var reason: String
    }

    /// The recipe for `context` on a database with `functions`; `secret` signs tokens (signed binding) with a
    /// key the recipe adds inside the transaction.
    static func make(_ context: [String: String?], functions: [ContextFunction], secret: [UInt8]) throws -> ContextRecipe {
        var recipe = ContextRecipe()
        var keyAdded = Set<String>()
        for (variable, value) in context.sorted(by: { $0.key < $1.key }) {
            let (kind, name) = split(variable)
            switch kind {
            case "setting": recipe.setting(name, value)
            case "gate": try recipe.gate(name, value == "true", functions)
            case "function":
                let reader = try FunctionReader.resolve(name, functions)
                try recipe.function(variable, reader, value, secret: secret, keyAdded: &keyAdded)
            case "opaque":
                throw Unsettable(reason: "the witness assumes a value for \(name) (an expression the solver could not read), which no statement sets")
            default:
                throw Unsettable(reason: "the witness' context names \(variable), which no statement sets")
            }
        }
        return recipe
    }

    static func split(_ variable: String) -> (String, String) {
        guard let colon = variable.firstIndex(of: ":") else { return ("", variable) }
        return (String(variable[..<colon]), String(variable[variable.index(after: colon)...]))
    }

    /// A setting: `set_config(name, value, true)`, or left unset for NULL (each run has a connection of its own).
    mutating func setting(_ name: String, _ value: String?) {
        let read = "pg_catalog.current_setting(\(SQL.literal(name)), true)"
        if let value {
            setup.append("SELECT pg_catalog.set_config(\(SQL.literal(name)), \(SQL.literal(value)), true)")
            checks.append(Check(variable: "setting:" + name, sql: "\(read) IS NOT DISTINCT FROM \(SQL.literal(value))"))
        } else {
            checks.append(Check(variable: "setting:" + name, sql: "\(read) IS NULL"))
        }
    }

    /// The admin gate: on through the enabler next to it (`enable_admin_mode(reason)`, which logs the call),
    /// off by not calling it.
    mutating func gate(_ name: String, _ on: Bool, _ functions: [ContextFunction]) throws {
        // A gate is only read back: it needs no setter of its own (the role binding has none).
        let key = name.hasSuffix(")") ? name : name + "()"
        guard let function = FunctionReader.find(key, functions) else {
            throw Unsettable(reason: "the witness reads \(key), which this database does not have")
        }
        let gate = (function: function, call: "\(SQL.qualified(function.schema, function.name))()")
        if on {
            guard let enabler = functions.first(where: { $0.schema == gate.function.schema && $0.name == "enable_admin_mode" })
                ?? functions.first(where: { $0.schema == gate.function.schema && $0.name.contains("admin") && $0.name.hasPrefix("enable") }) else {
                throw Unsettable(reason: "the witness needs the gate \(name) on, and \(gate.function.schema) has no enable_admin_mode()")
            }
            let argument = enabler.argumentTypes.isEmpty ? "" : SQL.literal("tenantwall witness") + "::" + enabler.argumentTypes[0]
            asRole.append("SELECT \(SQL.qualified(enabler.schema, enabler.name))(\(argument))")
        }
        checks.append(Check(variable: "gate:" + name, sql: "(SELECT \(gate.call)) IS \(on ? "TRUE" : "NOT TRUE")"))
    }

    /// A context function's value: through the setting it reads, or its schema's `set_tenant_context`.
    mutating func function(_ variable: String, _ reader: FunctionReader, _ value: String?, secret: [UInt8],
                           keyAdded: inout Set<String>) throws {
        let literal = try value.map { v -> SQLLiteralValue in
            guard let parsed = SQLLiteralValue(v) else { throw Unsettable(reason: "\(reader.function.identity) = \(v) is not a literal") }
            return parsed
        }
        let expected = literal.map { "(SELECT \(reader.call)) IS NOT DISTINCT FROM \($0.sql)" } ?? "(SELECT \(reader.call)) IS NULL"
        checks.append(Check(variable: variable, sql: expected))
        guard let literal, !literal.isNull else { return }
        switch reader.route {
        case .tenantRole(let mapping):
            tenantRole = (mapping, literal)
        case .setting(let name):
            setup.append("SELECT pg_catalog.set_config(\(SQL.literal(name)), \(SQL.literal(literal.text)), true)")
        case .signed(let signed):
            if keyAdded.insert(signed.keys).inserted { setup.append(signed.keyInsert(secret: secret)) }
            asRole.append(try signed.call(literal, secret: secret))
        case .setter(let setter):
            let type = setter.argumentTypes.first ?? "text"
            asRole.append("SELECT \(SQL.qualified(setter.schema, setter.name))(CAST(\(literal.sql) AS \(type)))")
        }
    }
}
