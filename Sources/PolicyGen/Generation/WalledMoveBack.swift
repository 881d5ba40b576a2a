import Quoting
/// A hypertable the spec no longer walls (no `compression`, no `continuous_aggregates`) that the database
/// holds in the walled form moves back to its name, keeping every row, before the rest of the generated SQL puts
/// RLS on it as on any hypertable (TimescaleDB refuses RLS while compression is on):
/// the continuous aggregates tenantwall made (stamped in their comment) go, with their wall views; the
/// compression policy goes; every compressed chunk is decompressed and compression turned off; the wall view
/// goes; the hypertable moves back (`SET SCHEMA`, catalog only).
///
/// An aggregate tenantwall did not make stops the move: TimescaleDB refuses to turn compression off under it,
/// and dropping it is the database owner's decision.
struct WalledMoveBack {
    let spec: Spec
    let table: Table

    func statement() -> Statement {
        let walled = Hypertable.walledSchema(tenancy: spec.tenancy)
        let storage = SQL.qualified(walled, table.name), name = SQL.qualified(table.schema, table.name)
        return Statement(.table(table.qualifiedName), "DO " + SQL.dollarQuoted("""

            DECLARE
                rel regclass := pg_catalog.to_regclass(\(SQL.literal(storage)));
                at_name regclass := pg_catalog.to_regclass(\(SQL.literal(name)));
                aggregate regclass;
                chunk regclass;
            BEGIN
                IF rel IS NULL OR (at_name IS NOT NULL AND (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = at_name) <> 'v')
                   OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'timescaledb') THEN
                    RETURN;
                END IF;
                FOR aggregate IN
                    SELECT pg_catalog.format('%I.%I', a.view_schema, a.view_name)::regclass FROM timescaledb_information.continuous_aggregates AS a
                    WHERE a.hypertable_schema = \(SQL.literal(walled)) AND a.hypertable_name = \(SQL.literal(table.name))
                LOOP
                    IF pg_catalog.obj_description(aggregate, 'pg_class') NOT LIKE 'tenantwall continuous aggregate: %' THEN
                        RAISE EXCEPTION 'tenantwall: % reads %, and tenantwall did not make it', aggregate, rel
                            USING HINT = \(SQL.literal("drop it, or keep compression or continuous_aggregates in the spec of " + table.qualifiedName));
                    END IF;
                    EXECUTE pg_catalog.format('DROP MATERIALIZED VIEW %s CASCADE', aggregate);
                END LOOP;
                PERFORM remove_compression_policy(rel, if_exists => true);
                IF (SELECT h.compression_enabled FROM timescaledb_information.hypertables AS h
                    WHERE h.hypertable_schema = \(SQL.literal(walled)) AND h.hypertable_name = \(SQL.literal(table.name))) THEN
                    FOR chunk IN SELECT c FROM show_chunks(rel) AS c LOOP
                        PERFORM decompress_chunk(chunk, true);
                    END LOOP;
                    ALTER TABLE \(storage) SET (timescaledb.compress = false);
                END IF;
                IF at_name IS NOT NULL THEN
                    DROP VIEW \(name);
                END IF;
                ALTER TABLE \(storage) SET SCHEMA \(SQL.ident(table.schema));
            END

            """), comment: "\(table.qualifiedName) moves back from the walled form when the database holds it there: tenantwall's aggregates and compression go (every chunk decompressed, every row kept), the wall view goes, and the hypertable takes its name again; RLS follows below.")
    }
}
