-- tenantwall 0.3.0 -> 0.4.0: the signed binding verified in C with the keys cached per backend.
-- Generated from PolicyGen's HelperCore; `swift run tenantwall extension-sql --upgrade-from 0.3.0` rewrites it.
\echo Use "ALTER EXTENSION tenantwall UPDATE" to load this file. \quit

-- The signed binding without plpgsql or SPI: keys cached per backend, read again after any change to them.
-- set_signed_context takes only the token: the keys table is signing_keys in this schema, and the scope and
-- claim path are the arguments of that table's signing_keys_changed() trigger.
CREATE OR REPLACE FUNCTION @extschema@.set_signed_context(token text) RETURNS void
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_set_signed_context';
REVOKE ALL ON FUNCTION @extschema@.set_signed_context(text) FROM PUBLIC;
-- The keys table's trigger: AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT
-- EXECUTE FUNCTION signing_keys_changed('transaction' or 'session', claim, path, ...).
CREATE OR REPLACE FUNCTION @extschema@.signing_keys_changed() RETURNS trigger
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'tw_signing_keys_changed';
