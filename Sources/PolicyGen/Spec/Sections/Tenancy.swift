import Yams

/// The `tenancy` section: how a session names its tenant (the tenant column and its type, the setting, the
/// binding, the helpers' schema and install, Citus). It owns the section's keys and defaults, how they are
/// read, and every diagnostic about them; the choices each key takes are in `TenancyChoices.swift`.
public struct Tenancy: Sendable {
    public var column: String = "tenant_id"
    public var type: TenantType = .uuid
    public var setting: String = "app.current_tenant_id"
    public var helperSchema: String = "tenantwall"
    public var scope: ContextScope = .transaction
    /// `tenancy.context_store`: the context written into the setting, or held in the backend by the extension.
    public var contextStore: ContextStore = .setting
    /// `tenancy.missing_context`: a tenant statement without a context reads nothing (`empty`) or fails (`error`).
    public var missingContext: MissingContext = .empty
    public var helpers: HelperInstall = .inline
    /// How a session is bound to its tenant.
    public var binding: Binding = .context
    /// `signed` binding: the setting that carries the token, and the claim path (dot-separated) holding the tenant.
    public var tokenSetting: String = "app.tenant_token"
    public var claim: String = "tenant_id"
    /// `role` binding: tenant login roles are named this prefix plus the tenant id.
    public var tenantRolePrefix: String = "tenant_"
    /// One server, or a Citus cluster.
    public var distribution: Distribution = .none
    /// Citus: what happens to a tenant's statement that fans out to every shard.
    public var fanOut: FanOut = .allow
    public var location: SourceLocation?

    public init() {}

    /// Whether the session's tenant comes from the extension's native (C) reader: the context and signed
    /// bindings on `helpers: extension` (the role binding's reader reads a table).
    public var nativeReader: Bool { helpers == .extension && binding != .role }

    public var citus: Bool { distribution == .citus }

    /// Whether `set_tenant_context()` holds the tenant in the backend (`context_store: backend`). Only where the
    /// extension does it for the context binding per transaction on one server: a spec switched to inline helpers
    /// by code (a server without the extension, the benchmark's inline mode) writes the setting instead, while
    /// `check` refuses a spec that asks for both.
    public var holdsContext: Bool {
        contextStore == .backend && helpers == .extension && binding == .context && scope == .transaction && !citus
    }
}

// MARK: - Keys

extension Tenancy {
    /// A string key: the value, or the default kept when it is not a string (reported).
    private static func text(_ name: String, _ path: WritableKeyPath<Tenancy, String> & Sendable) -> SpecKey<Tenancy> {
        SpecKey(name) { tenancy, entry, reader in tenancy[keyPath: path] = reader.string(entry.value, what: "tenancy.\(name)") ?? tenancy[keyPath: path] }
    }

    /// A key that takes one of an enum's values.
    private static func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ path: WritableKeyPath<Tenancy, E> & Sendable) -> SpecKey<Tenancy>
    where E.RawValue == String {
        SpecKey(name) { tenancy, entry, reader in
            tenancy[keyPath: path] = reader.choice(entry.value, what: "tenancy.\(name)", as: E.self) ?? tenancy[keyPath: path]
        }
    }

    static let keys: [SpecKey<Tenancy>] = [
        text("column", \.column), choice("type", \.type), text("setting", \.setting), text("helper_schema", \.helperSchema),
        choice("scope", \.scope), choice("helpers", \.helpers), choice("binding", \.binding), text("token_setting", \.tokenSetting),
        text("claim", \.claim), text("tenant_role_prefix", \.tenantRolePrefix), choice("distribution", \.distribution),
        choice("fan_out", \.fanOut), choice("missing_context", \.missingContext), choice("context_store", \.contextStore),
    ]

    /// The section as written at `location`, with defaults for the keys not given.
    static func read(_ node: Node, _ reader: inout NodeReader, at location: SourceLocation) -> Tenancy {
        var tenancy = Tenancy()
        tenancy.location = location
        reader.read(reader.entries(node, keys: keys, what: "tenancy") ?? [], into: &tenancy, keys: keys)
        return tenancy
    }
}

// MARK: - Checks

extension Tenancy {
    /// Every tenancy diagnostic is reported at the section's key.
    func check(_ checks: inout SpecChecks) {
        let at = location ?? checks.start
        checks.identifier(column, "tenancy.column", at)
        checks.identifier(helperSchema, "tenancy.helper_schema", at)
        checks.schemaName(helperSchema, "tenancy.helper_schema", at)
        if helperSchema.contains("$") {
            checks.error("tenancy.helper_schema must not contain '$': the helper functions' bodies are dollar-quoted and name the schema", at)
        }
        if !SpecValidator.isCustomSetting(setting) {
            checks.error("tenancy.setting '\(setting)' must be a custom setting name like 'app.current_tenant_id' (a prefix, a dot, a name)", at)
        }
        if binding == .signed { checkSigned(&checks, at) }
        checkCombinations(&checks, at)
        if binding == .role, tenantRolePrefix.isEmpty || tenantRolePrefix.utf8.count > 26 {
            checks.error("tenancy.tenant_role_prefix must be 1 to 26 bytes, so that prefix and tenant id fit in 63", at)
        }
    }

    /// The signed binding's token setting and claim path.
    private func checkSigned(_ checks: inout SpecChecks, _ at: SourceLocation) {
        if !SpecValidator.isCustomSetting(tokenSetting) { checks.error("tenancy.token_setting '\(tokenSetting)' must be a custom setting name like 'app.tenant_token'", at) }
        if tokenSetting == setting { checks.error("tenancy.token_setting must differ from tenancy.setting", at) }
        let parts = claim.split(separator: ".", omittingEmptySubsequences: false)
        if parts.isEmpty || parts.contains(where: { $0.isEmpty || !$0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) {
            checks.error("tenancy.claim '\(claim)' must be a dot-separated claim path such as 'tenant_id' or 'app_metadata.tenant_id'", at)
        }
    }

    /// Choices that are each valid but not together (what this version does not prove is refused).
    private func checkCombinations(_ checks: inout SpecChecks, _ at: SourceLocation) {
        if binding == .signed && helpers == .extension && scope == .session {
            // The native binding verifies once per transaction; a verification kept for the whole session would
            // outlive a key's retirement. The inline binding (helpers: inline) verifies in every statement.
            checks.error("tenancy.scope: session with the signed binding needs helpers: inline (the native extension verifies a token once per transaction, so a retired key stops binding at the next one)", at)
        }
        if contextStore == .backend {
            // The held context is the extension's (sql/held.c), for the transaction; Citus takes the context to
            // its workers with SET LOCAL, which needs the setting written.
            if helpers != .extension { checks.error("tenancy.context_store: backend needs helpers: extension (the extension holds the context)", at) }
            if binding != .context { checks.error("tenancy.context_store: backend applies to the context binding (binding: \(binding.rawValue) does not set a tenant context)", at) }
            if scope != .transaction { checks.error("tenancy.context_store: backend holds the context for the transaction: scope must be transaction", at) }
            if citus { checks.error("tenancy.context_store: backend is not for tenancy.distribution: citus (the workers receive the context as a SET LOCAL, which writes the setting)", at) }
        }
        if missingContext == .error && binding == .role {
            // The role binding has no context to forget: the session's login role is the tenant. (On Citus the
            // workers evaluate the policies; the readers and the SET LOCAL reach them: docs/citus.md.)
            checks.error("tenancy.missing_context: error applies to the context and signed bindings, not to binding: role: there the login role is the tenant, so every session has one and there is no context to set or forget", at)
        }
        if citus {
            // What this version proves on a real cluster; the rest is refused rather than half-supported.
            if binding != .context { checks.error("tenancy.distribution: citus supports the context binding in this version (signed and role bindings are not yet proved on a cluster)", at) }
            if scope != .transaction { checks.error("tenancy.distribution: citus sets the context with SET LOCAL, which lasts for the transaction: scope must be transaction", at) }
        } else if fanOut != .allow {
            checks.error("tenancy.fan_out: \(fanOut.rawValue) needs tenancy.distribution: citus (on one server every statement runs in one place)", at)
        }
    }
}
