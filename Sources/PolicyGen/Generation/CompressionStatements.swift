import Quoting
/// A walled hypertable's compression (TimescaleDB's columnstore) on its storage, idempotent: the settings are
/// set only when they differ from the live ones, the policy replaced only when its interval differs. A walled
/// hypertable whose spec drops compression (keeping its aggregates) has it taken off: the policy goes, every
/// chunk is decompressed (every row kept), compression is turned off.
struct CompressionStatements {
    let spec: Spec
    let table: Table
    let hypertable: Hypertable

    var key: ObjectKey { .timeSeries(table.qualifiedName) }
    var storage: (schema: String, name: String) { table.storage(tenancy: spec.tenancy) }
    var storageName: String { SQL.qualified(storage.schema, storage.name) }
    var regclass: String { SQL.regclass(storage.schema, storage.name) }

    func statements() -> [Statement] {
        guard let compression = hypertable.compression else { return [off()] }
        return [settings(compression), policy(compression)]
    }

    /// The order-by terms as TimescaleDB's `hypertable_compression_settings` prints each one's direction:
    /// ` DESC` (nulls first by default), ` NULLS LAST` after DESC, ` NULLS FIRST` after ASC.
    static func orderTerms(_ clause: String) -> [(column: String, suffix: String)] {
        clause.split(separator: ",").compactMap { term in
            let words = term.split(separator: " ").map(String.init)
            guard let column = words.first else { return nil }
            let rest = words.dropFirst().map { $0.uppercased() }
            let descending = rest.contains("DESC")
            let nullsFirst = rest.contains("FIRST") || (descending && !rest.contains("LAST"))
            var suffix = descending ? " DESC" : ""
            if nullsFirst && !descending { suffix += " NULLS FIRST" }
            if !nullsFirst && descending { suffix += " NULLS LAST" }
            return (column, suffix)
        }
    }

    func settings(_ compression: Compression) -> Statement {
        let segments = compression.segmentColumns(tenantColumn: spec.tenancy.column)
        let terms = Self.orderTerms(compression.orderClause(timeColumn: hypertable.timeColumn))
        let orderBy = terms.map { SQL.ident($0.column) + $0.suffix }.joined(separator: ", ")
        let columns = terms.map { SQL.literal($0.column) }.joined(separator: ", "), suffixes = terms.map { SQL.literal($0.suffix) }.joined(separator: ", ")
        let hint = "compressed chunks keep the settings they were compressed with: decompress them (SELECT decompress_chunk(c) FROM show_chunks('"
            + storageName + "') AS c), apply, and compress again; or keep segment_by and order_by as they are"
        return Statement(key, "DO " + SQL.dollarQuoted("""

            BEGIN
                IF EXISTS (SELECT 1 FROM timescaledb_information.hypertable_compression_settings AS s
                           JOIN timescaledb_information.hypertables AS h ON h.hypertable_schema = \(SQL.literal(storage.schema)) AND h.hypertable_name = \(SQL.literal(storage.name))
                           WHERE s.hypertable = \(regclass) AND h.compression_enabled
                             AND s.segmentby IS NOT DISTINCT FROM \(SQL.literal(segments.joined(separator: ",")))
                             AND s.orderby IS NOT DISTINCT FROM (SELECT pg_catalog.string_agg(pg_catalog.format('%I', u.c) || u.x, ',' ORDER BY u.o)
                                                                FROM unnest(ARRAY[\(columns)]::text[], ARRAY[\(suffixes)]::text[]) WITH ORDINALITY AS u(c, x, o))) THEN
                    RETURN;
                END IF;
                ALTER TABLE \(storageName) SET (timescaledb.compress, timescaledb.compress_segmentby = \(SQL.literal(SQL.identList(segments))),
                    timescaledb.compress_orderby = \(SQL.literal(orderBy)));
            EXCEPTION WHEN feature_not_supported OR object_not_in_prerequisite_state OR invalid_parameter_value THEN
                RAISE EXCEPTION 'tenantwall: cannot change the compression settings of %: %', \(SQL.literal(table.qualifiedName)), SQLERRM
                    USING HINT = \(SQL.literal(hint));
            END

            """), comment: "Compression (the columnstore) on the storage, segmented by \(segments.joined(separator: ", ")) (a segment holds one tenant's rows), ordered by \(orderBy); set only when the live settings differ.")
    }

    func policy(_ compression: Compression) -> Statement {
        Statement(key, "DO " + SQL.dollarQuoted("""

            DECLARE
                job integer;
                after interval;
            BEGIN
                SELECT j.job_id, (j.config ->> 'compress_after')::interval INTO job, after FROM timescaledb_information.jobs AS j
                WHERE j.proc_name = 'policy_compression' AND j.hypertable_schema = \(SQL.literal(storage.schema)) AND j.hypertable_name = \(SQL.literal(storage.name));
                IF job IS NOT NULL AND after = INTERVAL \(SQL.literal(compression.after)) THEN
                    RETURN;
                END IF;
                IF job IS NOT NULL THEN
                    PERFORM remove_compression_policy(\(regclass));
                END IF;
                PERFORM add_compression_policy(\(regclass), INTERVAL \(SQL.literal(compression.after)));
            END

            """), comment: "Chunks older than \(compression.after) are compressed by a TimescaleDB job, run as the owner; replaced only when the interval differs.")
    }

    /// No compression asked: none kept.
    func off() -> Statement {
        Statement(key, "DO " + SQL.dollarQuoted("""

            DECLARE
                chunk regclass;
            BEGIN
                PERFORM remove_compression_policy(\(regclass), if_exists => true);
                IF (SELECT h.compression_enabled FROM timescaledb_information.hypertables AS h
                    WHERE h.hypertable_schema = \(SQL.literal(storage.schema)) AND h.hypertable_name = \(SQL.literal(storage.name))) THEN
                    FOR chunk IN SELECT c FROM show_chunks(\(regclass)) AS c LOOP
                        PERFORM decompress_chunk(chunk, true);
                    END LOOP;
                    ALTER TABLE \(storageName) SET (timescaledb.compress = false);
                END IF;
            END

            """), comment: "No compression in the spec: none on the storage (every compressed chunk decompressed, every row kept).")
    }
}
