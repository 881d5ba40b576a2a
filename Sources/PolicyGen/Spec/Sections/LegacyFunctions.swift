import Yams

/// The `legacy_functions` section: an existing database's own context setters and flag functions, and what
/// tenantwall does with each (replace, revoke, keep). It owns the entries' keys, how they are read, and the
/// diagnostics about their signatures and actions.
///
/// A function an existing database uses to set its tenant context or an access flag, named in the spec so
/// that taking the database over is a decision, not a surprise: left as it is, it keeps doing what it did
/// (a session-scope setter leaks a tenant through a pooler; a flag it sets no longer opens anything once
/// tenantwall's policies replace the old ones).
public struct LegacyFunction: Sendable {
    /// `schema.name(argument types)`, as `to_regprocedure` reads it.
    public var signature: String
    public var action: LegacyAction
    public var location: SourceLocation?

    public init(signature: String, action: LegacyAction, location: SourceLocation? = nil) {
        self.signature = signature
        self.action = action
        self.location = location
    }

    /// Schema, name and argument types, or nil when the signature is not of the form `schema.name(type, …)`.
    public var parts: (schema: String, name: String, arguments: [String])? {
        guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else { return nil }
        let qualified = signature[..<open].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard qualified.count == 2 else { return nil }
        let inside = signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]
        let arguments = inside.split(separator: ",").map { $0.trimmingTrailingSpaces().trimmingLeadingSpaces() }
        return (qualified[0], qualified[1], arguments)
    }
}

/// What tenantwall does with a legacy function.
public enum LegacyAction: String, CaseIterable, Sendable {
    /// Replaced in place by a shim of the same signature (parameter names and result kept) that calls
    /// tenantwall's transaction-scoped setter: the application's calls keep working, and the context no longer
    /// outlives the transaction.
    case replace
    /// EXECUTE revoked from PUBLIC and the access roles: the function stays for its owner.
    case revoke
    /// Left as it is (plan keeps saying what it does).
    case keep
}

// MARK: - Keys

extension LegacyFunction {
    /// What an entry holds while it is read: both keys are required.
    struct Draft {
        var signature: String?
        var action: LegacyAction?
    }

    static let keys: [SpecKey<Draft>] = [
        SpecKey("function") { draft, entry, reader in draft.signature = reader.string(entry.value, what: "legacy function") },
        SpecKey("action") { draft, entry, reader in draft.action = reader.choice(entry.value, what: "legacy function action", as: LegacyAction.self) },
    ]

    /// One entry of the list, or nil (reported) when it lacks a key.
    static func read(_ node: Node, _ reader: inout NodeReader) -> LegacyFunction? {
        guard let entries = reader.entries(node, keys: keys, what: "a legacy function") else { return nil }
        var draft = Draft()
        reader.read(entries, into: &draft, keys: keys)
        guard let signature = draft.signature else { reader.error("a legacy function needs 'function' (schema.name(argument types))", node); return nil }
        guard let action = draft.action else {
            reader.error("legacy function '\(signature)' needs an 'action' (one of: \(LegacyAction.allCases.map(\.rawValue).joined(separator: ", ")))", node)
            return nil
        }
        return LegacyFunction(signature: signature, action: action, location: reader.location(node))
    }
}

// MARK: - Checks

extension LegacyFunction {
    /// tenantwall's own helpers: a legacy function of the same name in the helper schema would be replaced.
    static let helperNames = ["set_tenant_context", "current_tenant_id", "clear_tenant_context", "enable_admin_mode", "disable_admin_mode"]

    /// Each legacy function once, in the form `schema.name(types)`; `replace` only for a setter of one
    /// argument (the tenant), and never where tenantwall's own helpers would take the same name.
    static func check(_ functions: [LegacyFunction], _ checks: inout SpecChecks) {
        var seen: Set<String> = []
        for function in functions {
            let at = function.location
            guard let parts = function.parts, SpecValidator.isPlainName(parts.schema) || !parts.schema.isEmpty, !parts.name.isEmpty,
                  parts.arguments.allSatisfy({ TypeName.normalize($0) != nil }) else {
                checks.error("legacy function '\(function.signature)' must be written schema.name(argument types), e.g. public.set_tenant_context(uuid)", at)
                continue
            }
            if !seen.insert(function.signature).inserted { checks.error("legacy function '\(function.signature)' is named twice", at) }
            if parts.schema == checks.tenancy.helperSchema && helperNames.contains(parts.name) {
                checks.error("legacy function '\(function.signature)' is in tenantwall's helper schema '\(parts.schema)', where tenantwall's own \(parts.name) lives: choose another tenancy.helper_schema", at)
            }
            if function.action == .replace && checks.tenancy.binding != .context {
                checks.error("legacy function '\(function.signature)': replace makes a shim that sets the tenant context, which the \(checks.tenancy.binding.rawValue) binding does not take from the application (use revoke)", at)
            }
            if function.action == .replace && parts.arguments.count != 1 {
                checks.error("legacy function '\(function.signature)': replace makes a shim that sets the tenant from its one argument; this one takes \(parts.arguments.count) (use revoke or keep)", at)
            }
        }
    }
}
