-- tenantwall 0.5.0 -> 0.6.0: the held context: the tenant held in the backend, shown through its setting.
-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from 0.5.0` rewrites it.
\echo Use "ALTER EXTENSION tenantwall UPDATE" to load this file. \quit

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
