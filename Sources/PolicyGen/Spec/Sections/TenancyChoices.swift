/// The values the `tenancy` section's choice keys take (`type`, `helpers`, `binding`, `scope`,
/// `context_store`, `missing_context`, `distribution`, `fan_out`): what each one means for the generated SQL.

public enum TenantType: String, CaseIterable, Sendable {
    case uuid, bigint, integer, text

    /// Whether ids are numbers (JSON numbers in a token's claim).
    public var isNumeric: Bool { self == .bigint || self == .integer }
}

/// Whether the helper functions are installed with `CREATE EXTENSION tenantwall` or inlined as plain SQL
/// (for managed services that cannot install custom extensions).
public enum HelperInstall: String, CaseIterable, Sendable {
    case inline, `extension`
}

/// How a session is bound to a tenant.
public enum Binding: String, CaseIterable, Sendable {
    /// The trusted application sets the tenant id per transaction: any code that can run SQL on the
    /// application's connection can choose any tenant.
    case context
    /// The application presents a signed token (JWT, HS256); the database checks the signature with a secret
    /// the application roles cannot read, and the tenant comes from a claim.
    case signed
    /// Each tenant has its own login role (`tenant add` creates it); the tenant comes from the session's role
    /// through a mapping the tenant roles can read but not change.
    case role
}

/// Where the tables live: one server, or a Citus cluster distributed by the tenant column.
public enum Distribution: String, CaseIterable, Sendable {
    case none
    /// Tenant tables (and the tenants table, by its key) are distributed by the tenant column and colocated;
    /// shared tables are reference tables; exempt tables stay on the coordinator.
    case citus
}

/// Citus: what a tenant's transaction may do with a statement that runs on more than one shard. The setter
/// sets `citus.multi_task_query_log_level` for the transaction it binds, so a statement that forgot to name
/// its tenant (and fans out to every shard) is reported or refused where it runs. A guard against slow
/// statements, not a wall: the policies hold either way, and a session may lower the level itself.
public enum FanOut: String, CaseIterable, Sendable {
    /// Nothing is said.
    case allow
    /// A WARNING for each such statement, to the client and the server log.
    case warning
    /// Each such statement fails (SQLSTATE XX000, "multi-task query about to be executed").
    case error
}

/// How long a context set with `set_tenant_context()` lasts.
public enum ContextScope: String, CaseIterable, Sendable {
    /// Ends with the transaction: a pooled connection never carries a tenant into the next client's transaction.
    case transaction
    /// Lasts for the session: only for applications that own their connections. `verify` flags it.
    case session
}

/// Where `set_tenant_context()` keeps the tenant for the transaction.
public enum ContextStore: String, CaseIterable, Sendable {
    /// Written into the setting (`set_config(setting, tenant, true)`): PostgreSQL's own SET LOCAL.
    case setting
    /// Held in the backend by the extension (`hold_context_*()`, sql/held.c) and shown by the setting
    /// (`current_setting()`, `SHOW`), which is not written: the context statement costs what any statement costs.
    /// While it is held, writing the setting by hand (SET, set_config(), a function's SET clause) is refused.
    case backend
}

/// What a tenant policy does for a statement of an access role that runs without a tenant context.
public enum MissingContext: String, CaseIterable, Sendable {
    /// No tenant: zero rows, writes rejected by row-level security (42501). Quiet, and a forgotten
    /// `set_tenant_context()` looks like an empty tenant.
    case empty
    /// The statement fails with SQLSTATE `TW001`, naming the role, the table and the setter: a forgotten
    /// context (or one lost to a pooler) is a loud error. The admin role stays quiet (admin mode is tenant-less).
    case error

    /// The SQLSTATE of the `error` mode's exception (class TW is tenantwall's own, unused by PostgreSQL).
    public static let sqlState = "TW001"
}
