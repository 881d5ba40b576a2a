extension HelperCore {
    /// The typed setters (0.5.0; sql/tenantwall.c says how): what the generated `set_tenant_context(tenant)`
    /// calls with the extension for a uuid, bigint or integer tenant. The tenant arrives typed, so the context
    /// statement casts nothing to text and the readers parse nothing back: the setter costs what `set_config()`
    /// costs (docs/bench.md). What the setting holds is exactly what `set_context` would have set.
    public static let typedSetters: String = #"""
-- Typed transaction-local setters: set_context for a tenant that arrives as its own type.
CREATE OR REPLACE FUNCTION @extschema@.set_context_uuid(setting text, value uuid) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_uuid';
CREATE OR REPLACE FUNCTION @extschema@.set_context_bigint(setting text, value bigint) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_bigint';
CREATE OR REPLACE FUNCTION @extschema@.set_context_integer(setting text, value integer) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_integer';

"""#

    /// The typed setter for a tenant type, when the extension has one (text has none: `set_context` takes it).
    public static func typedSetter(_ type: TenantType) -> String? {
        switch type {
        case .uuid, .bigint, .integer: return "set_context_" + type.rawValue
        case .text: return nil
        }
    }

    /// The held context (0.6.0, `tenancy.context_store: backend`; sql/held.c says how): the typed setters'
    /// twins that hold the tenant in the backend for the transaction instead of writing the setting, which
    /// still shows it (`current_setting()`, `SHOW`), and the release `clear_tenant_context()` calls.
    public static let heldContext: String = #"""
-- Held context setters (tenancy.context_store: backend): the tenant held in the backend for the transaction,
-- read by the readers and shown by the setting (current_setting, SHOW), which is not written.
CREATE OR REPLACE FUNCTION @extschema@.hold_context_uuid(setting text, value uuid) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_hold_context_uuid';
CREATE OR REPLACE FUNCTION @extschema@.hold_context_bigint(setting text, value bigint) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_hold_context_bigint';
CREATE OR REPLACE FUNCTION @extschema@.hold_context_integer(setting text, value integer) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_hold_context_integer';
CREATE OR REPLACE FUNCTION @extschema@.hold_context(setting text, value text) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_hold_context';
-- The held context's clear: the setting set to '' for the session, and what is held at this level cleared.
CREATE OR REPLACE FUNCTION @extschema@.release_context(setting text) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_release_context';

"""#

    /// The held setter for a tenant type (text included: `hold_context` takes it).
    public static func heldSetter(_ type: TenantType) -> String {
        type == .text ? "hold_context" : "hold_context_" + type.rawValue
    }
}
