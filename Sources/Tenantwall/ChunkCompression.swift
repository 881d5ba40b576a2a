import Postgres
import Quoting

/// Compresses a hypertable's older chunks now, as the session's user, for the demo and the tests: what the spec's
/// compression policy would do on its schedule.
///
/// That policy's job, added by apply, may be compressing the same chunks at the same moment, and
/// `compress_chunk(…, if_not_compressed => true)` still fails (42710, "already compressed") on a chunk the job
/// compressed between the function's check and its lock. So each chunk is compressed on its own, and one the job
/// got to first counts as compressed.
public enum ChunkCompression {
    /// Compresses every chunk of `hypertable` (a regclass as text) older than `olderThan`; returns how many of its
    /// chunks are compressed afterwards.
    @discardableResult
    public static func compressOlderChunks(_ connection: Connection, hypertable: String, olderThan: String) throws -> Int {
        try connection.execute("""
            DO $tw$
            DECLARE
                chunk regclass;
            BEGIN
                FOR chunk IN SELECT c FROM show_chunks(\(SQL.literal(hypertable))::regclass, older_than => \(SQL.literal(olderThan))::interval) AS c LOOP
                    BEGIN
                        PERFORM compress_chunk(chunk, if_not_compressed => true);
                    EXCEPTION WHEN duplicate_object THEN
                        NULL;  -- compressed by the policy's job in the meantime
                    END;
                END LOOP;
            END
            $tw$
            """)
        return Int(try connection.query("""
            SELECT count(*)::text FROM _timescaledb_catalog.chunk AS c JOIN _timescaledb_catalog.hypertable AS h ON h.id = c.hypertable_id
            WHERE pg_catalog.format('%I.%I', h.schema_name, h.table_name)::regclass = $1::regclass AND c.compressed_chunk_id IS NOT NULL
            """, [hypertable]).scalar ?? "0") ?? 0
    }
}
