-- tenantwall 0.4.0 -> 0.5.0: typed setters: the tenant set without a cast to text or a parse back.
-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from 0.4.0` rewrites it.
\echo Use "ALTER EXTENSION tenantwall UPDATE" to load this file. \quit

-- Typed transaction-local setters: set_context for a tenant that arrives as its own type.
CREATE OR REPLACE FUNCTION @extschema@.set_context_uuid(setting text, value uuid) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_uuid';
CREATE OR REPLACE FUNCTION @extschema@.set_context_bigint(setting text, value bigint) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_bigint';
CREATE OR REPLACE FUNCTION @extschema@.set_context_integer(setting text, value integer) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_context_integer';
