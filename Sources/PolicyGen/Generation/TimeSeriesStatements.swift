import Quoting
/// Hypertables (TimescaleDB's documented API) and native range partitions (tenantwall's own
/// `ensure_partitions()` or pg_partman's `create_parent()`), with direct access to every partition and chunk
/// closed, including those created later:
/// - native partitions: an event trigger secures each partition as it is created or attached (it needs a
///   superuser; without one the migration says so and `ensure_partitions()` still secures what it makes);
/// - TimescaleDB chunks are created without DDL, so no event trigger sees them; they are closed from the
///   instant they exist by where they live and what they copy: the chunk schema (no USAGE for read-only roles
///   or PUBLIC) and the hypertable's column-level grants (a chunk copies only the table-level ACL). RLS on
///   every chunk is a second wall, set now and by a TimescaleDB job every five minutes.
struct TimeSeriesStatements {
    let spec: Spec

    var helpers: String { spec.tenancy.helperSchema }

    func statements() -> [Statement] {
        var out: [Statement] = []
        let partitioned = spec.tables.filter { $0.partitioning != nil }
        let hypertables = spec.tables.filter { $0.hypertable != nil }
        if !partitioned.isEmpty { out += [guardTrigger()] }
        if partitioned.contains(where: { $0.partitioning?.manager == .pg_partman }) {
            out.append(Statement(.timeSeries("pg_partman"), "CREATE SCHEMA IF NOT EXISTS partman"))
            out.append(Statement(.timeSeries("pg_partman"), "CREATE EXTENSION IF NOT EXISTS pg_partman WITH SCHEMA partman",
                                 comment: "pg_partman creates and maintains the partitions (PostgreSQL 15: Debian's postgresql-15-partman, 4.x; 16+: 5.x)."))
        }
        for table in partitioned { out += partitions(table, table.partitioning!) }
        if !hypertables.isEmpty {
            out.append(Statement(.timeSeries("timescaledb"), "CREATE EXTENSION IF NOT EXISTS timescaledb",
                                 comment: "TimescaleDB must be installed on the server (shared_preload_libraries = 'timescaledb')."))
        }
        for table in hypertables { out += hypertable(table, table.hypertable!) }
        if hypertables.contains(where: { !$0.isWalled }) {
            let proc = SQL.literal(SQL.qualified(helpers, "secure_chunks_job"))
            out.append(Statement(.timeSeries("timescaledb"), """
                SELECT add_job(\(proc)::regproc, INTERVAL '5 minutes')
                WHERE NOT EXISTS (SELECT 1 FROM timescaledb_information.jobs
                                  WHERE proc_schema = \(SQL.literal(helpers)) AND proc_name = 'secure_chunks_job')
                """, comment: "A safety net: enables RLS on new chunks (already closed by their schema and grants) within five minutes."))
        }
        return out
    }

    func guardTrigger() -> Statement {
        let function = SQL.qualified(helpers, "secure_new_partitions")
        return Statement(.partitionGuard, "DO " + SQL.dollarQuoted("""

            BEGIN
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'tenantwall_secure_partitions') THEN
                    RETURN;
                END IF;
                IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER) THEN
                    CREATE EVENT TRIGGER tenantwall_secure_partitions ON ddl_command_end
                        WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
                        EXECUTE FUNCTION \(function)();
                ELSE
                    RAISE WARNING 'tenantwall: % is not a superuser, so no event trigger secures partitions created later', CURRENT_USER
                        USING HINT = 'create partitions with tenantwall''s ensure_partitions() or call secure_partitions() after creating them';
                END IF;
            END

            """), comment: "Partitions created or attached later get RLS forced with no policy, so naming one directly returns nothing.")
    }

    func partitions(_ table: Table, _ p: Partitioning) -> [Statement] {
        let key = ObjectKey.timeSeries(table.qualifiedName)
        let regclass = SQL.regclass(table.schema, table.name)
        switch p.manager {
        case .native:
            return [
                Statement(key, "SELECT \(SQL.qualified(helpers, "ensure_partitions"))(\(regclass), INTERVAL \(SQL.literal(p.interval)), \(p.premake))",
                          comment: "Partitions of \(p.interval) on \(p.column): the current one, \(p.premake) ahead, and a default. Re-run (or schedule) to keep ahead."),
                Statement(key, "SELECT \(SQL.qualified(helpers, "secure_partitions"))(\(regclass))",
                          comment: "Re-secure every existing partition, in case one was opened by hand."),
            ]
        case .pg_partman:
            // pg_partman 5.x (PostgreSQL 16+, managed services) removed 4.x's p_type 'native' and its named
            // intervals ('monthly'); the installed version picks the call. PL/pgSQL plans a statement only when it
            // first runs, so the branch not taken is never checked against the installed signature.
            let parent = SQL.literal("\(table.schema).\(table.name)")
            let control = SQL.literal(p.column), premake = String(p.premake)
            let body = """

                BEGIN
                    IF EXISTS (SELECT 1 FROM partman.part_config WHERE parent_table = \(parent)) THEN
                        RETURN;
                    END IF;
                    IF EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhparent = \(regclass)) THEN
                        RAISE EXCEPTION 'tenantwall: % already has partitions that pg_partman did not make', \(parent)
                            USING HINT = 'describe the table with partitioning.manager: native, which keeps and secures them';
                    END IF;
                    IF pg_catalog.split_part((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pg_partman'), '.', 1)::integer >= 5 THEN
                        PERFORM partman.create_parent(p_parent_table := \(parent), p_control := \(control),
                            p_interval := \(SQL.literal(p.interval)), p_premake := \(premake));
                    ELSE
                        PERFORM partman.create_parent(p_parent_table := \(parent), p_control := \(control),
                            p_type := 'native', p_interval := \(SQL.literal(SpecValidator.partmanInterval(p.interval) ?? p.interval)), p_premake := \(premake));
                    END IF;
                END

                """
            return [
                Statement(key, "DO " + SQL.dollarQuoted(body),
                          comment: "pg_partman (4.x or 5.x) manages \(table.qualifiedName); run partman.run_maintenance() on a schedule."),
                Statement(key, "SELECT \(SQL.qualified(helpers, "secure_partitions"))(\(regclass))"),
            ]
        }
    }

    /// `create_hypertable`'s older signature: the only one that takes `associated_schema_name` (2.28).
    /// `if_not_exists` leaves an existing hypertable where its chunks are; `secure_chunks()` closes those.
    func hypertable(_ table: Table, _ h: Hypertable) -> [Statement] {
        let key = ObjectKey.timeSeries(table.qualifiedName)
        let storage = table.storage(tenancy: spec.tenancy)
        let regclass = SQL.regclass(storage.schema, storage.name)
        let chunkSchema = h.chunkSchema(tenancy: spec.tenancy)
        var arguments = ["\(regclass)", "time_column_name => \(SQL.literal(h.timeColumn))"]
        var comment = "Hypertable on \(h.timeColumn), chunks of \(h.chunkInterval)"
        if let n = h.spacePartitions, let column = table.scopeColumn(tenancy: spec.tenancy) {
            arguments += ["partitioning_column => \(SQL.literal(column))", "number_partitions => \(n)"]
            comment += " and \(n) hash partitions of \(column)"
        }
        arguments += ["chunk_time_interval => INTERVAL \(SQL.literal(h.chunkInterval))", "associated_schema_name => \(SQL.literal(chunkSchema))",
                      "if_not_exists => true"]
        comment += ", in schema \(chunkSchema)." + (table.isWalled ? " Walled: the storage of \(table.qualifiedName), with no RLS."
            : " No compression or continuous aggregates: TimescaleDB refuses them with RLS (the walled form has them).")
        var out = [Statement(key, "SELECT create_hypertable(\(arguments.joined(separator: ", ")))", comment: comment)]
        if let retention = h.retention {
            out.append(Statement(key, "SELECT add_retention_policy(\(regclass), INTERVAL \(SQL.literal(retention)), if_not_exists => true)"))
        }
        if table.isWalled {
            out.append(Statement(key, "SELECT \(SQL.qualified(helpers, "revoke_direct_grants"))(c) FROM show_chunks(\(regclass)) AS c",
                                 comment: "Direct grants on existing chunks revoked (chunks made before the storage was walled copied its grants then)."))
            return out + CompressionStatements(spec: spec, table: table, hypertable: h).statements()
                + ContinuousAggregateStatements(spec: spec, table: table, hypertable: h).statements()
        }
        out.append(Statement(key, "SELECT \(SQL.qualified(helpers, "secure_chunks"))(\(regclass))",
                             comment: "RLS on every existing chunk, direct grants revoked (chunks made before this spec applied copied table-level grants)."))
        return out
    }
}
