import Foundation
import Quoting

/// A context function named by a witness (`function:desk.current_tenant_id()`), how to call it to read it back,
/// and how its value is set: the setting a native reader reads, or the setter its schema offers.
struct FunctionReader: Sendable, Equatable {
    enum Route: Sendable, Equatable {
        /// tenantwall's native readers (`context_uuid('app.tenant_id')`): the setting itself.
        case setting(String)
        /// `set_tenant_context(value)`.
        case setter(ContextFunction)
        /// The signed binding's `set_tenant_context(token)`, with a token for the value.
        case signed(SignedSetter)
        /// The role binding: the session's role is the tenant (`TenantRoleMapping`).
        case tenantRole(TenantRoleMapping)
    }

    var function: ContextFunction
    /// The call that reads it, with its arguments.
    var call: String
    var route: Route

    static let nativeReaders: Set<String> = ["context_uuid", "context_bigint", "context_integer", "context_text", "context_uuid_by_name"]
    static let verifiedReaders: Set<String> = ["verified_uuid", "verified_bigint", "verified_integer", "verified_text"]

    /// The function a witness key names: matched on `regprocedure`'s text with or without the schema.
    static func find(_ key: String, _ functions: [ContextFunction]) -> ContextFunction? {
        // The solver writes `<identity>@<version>` when two bodies of one function meet in a check: the version
        // is its body's hash, and the database holds one body.
        var key = key
        if let at = key.lastIndex(of: "@"), key.hasSuffix(")") == false { key = String(key[..<at]) }
        let wanted = normalized(key)
        return functions.first { normalized($0.identity) == wanted || normalized($0.schema + "." + $0.identity) == wanted }
            ?? functions.first { normalized($0.schema + "." + $0.name + "()") == wanted && $0.argumentTypes.isEmpty }
    }

    static func normalized(_ s: String) -> String { s.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: " ", with: "") }

    static func resolve(_ key: String, _ functions: [ContextFunction]) throws -> FunctionReader {
        guard let function = find(key, functions) else {
            throw ContextRecipe.Unsettable(reason: "the witness reads \(key), which this database does not have")
        }
        let qualified = SQL.qualified(function.schema, function.name)
        if nativeReaders.contains(function.name) {
            guard let setting = nativeSetting(key, function, functions) else {
                throw ContextRecipe.Unsettable(reason: "the witness reads \(key), and no function says which setting it is called with")
            }
            return FunctionReader(function: function, call: "\(qualified)(\(SQL.literal(setting)))", route: .setting(setting))
        }
        guard function.argumentTypes.isEmpty else {
            throw ContextRecipe.Unsettable(reason: "the witness assumes what \(key) returns for arguments it does not give")
        }
        if let mapping = TenantRoleMapping(function) {
            return FunctionReader(function: function, call: "\(qualified)()", route: .tenantRole(mapping))
        }
        let setter: ContextFunction?
        if verifiedReaders.contains(function.name) {
            if let signed = functions.lazy.compactMap({ SignedSetter($0, among: functions) }).first {
                return FunctionReader(function: function, call: "\(qualified)()", route: .signed(signed))
            }
            setter = nil
        } else {
            setter = functions.first { $0.schema == function.schema && $0.name == "set_tenant_context" && $0.argumentTypes.count == 1 }
        }
        guard let setter else {
            throw ContextRecipe.Unsettable(reason: "the witness needs \(key) to return a value, and \(function.schema) has no set_tenant_context() to set it")
        }
        if let signed = SignedSetter(setter, among: functions) {
            return FunctionReader(function: function, call: "\(qualified)()", route: .signed(signed))
        }
        return FunctionReader(function: function, call: "\(qualified)()", route: .setter(setter))
    }

    /// The setting a native reader is called with: written in the key (`context_uuid('app.tenant_id')`), else the
    /// one setting the database's functions call it with.
    static func nativeSetting(_ key: String, _ function: ContextFunction, _ functions: [ContextFunction]) -> String? {
        if let inKey = firstQuoted(in: key) { return inKey }
        guard let pattern = try? Regex(#"\b"# + function.name + #""?\s*\(\s*'([^']*)'"#) else { return nil }
        var settings = Set<String>()
        for other in functions where other.identity != function.identity {
            for match in other.body.matches(of: pattern) {
                if let captured = match.output[1].substring { settings.insert(String(captured)) }
            }
        }
        return settings.count == 1 ? settings.first : nil
    }

    static func firstQuoted(in s: String) -> String? {
        guard let open = s.firstIndex(of: "'") else { return nil }
        let rest = s[s.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }
}
