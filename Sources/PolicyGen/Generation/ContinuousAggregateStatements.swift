import Quoting
/// A walled hypertable's continuous aggregates, each in the walled schema beside its storage, owned by the
/// owner, with no privilege for any access role (TimescaleDB gives its materialization hypertable and chunks
/// the aggregate's owner and no other grant), and a refresh policy. Read through `WallStatements`' views.
///
/// Made again only when its query changes: the comment holds the query (and `materialized_only`) it was made
/// from, as for rollups (a continuous aggregate is a view in pg_class: `COMMENT ON VIEW`). `CREATE MATERIALIZED VIEW … WITH (timescaledb.continuous) … WITH NO DATA` runs in the
/// migration's transaction; `refresh_continuous_aggregate` cannot, so the first fill is the refresh policy's.
struct ContinuousAggregateStatements {
    let spec: Spec
    let table: Table
    let hypertable: Hypertable

    static let stampPrefix = "tenantwall continuous aggregate: "

    var key: ObjectKey { .timeSeries(table.qualifiedName) }
    var walled: String { Hypertable.walledSchema(tenancy: spec.tenancy) }

    func name(_ aggregate: ContinuousAggregate) -> String { SQL.qualified(walled, aggregate.name) }

    /// The aggregate's query: the tenant column, the bucket, the group-by outputs, the aggregates, grouped by the
    /// tenant column first, so a row of the aggregate holds one tenant's rows only.
    func query(_ aggregate: ContinuousAggregate) -> String {
        let storage = table.storage(tenancy: spec.tenancy)
        let tenant = SQL.ident(spec.tenancy.column)
        let bucket = "time_bucket(INTERVAL \(SQL.literal(aggregate.bucket)), \(SQL.ident(hypertable.timeColumn)))"
        let outputs = [tenant, "\(bucket) AS \(SQL.ident(aggregate.bucketColumn))"]
            + aggregate.groupBy.map { "(\($0.expression)) AS \(SQL.ident($0.name))" }
            + aggregate.aggregates.map { "(\($0.expression)) AS \(SQL.ident($0.name))" }
        let groups = [tenant, bucket] + aggregate.groupBy.map { "(\($0.expression))" }
        return "SELECT \(outputs.joined(separator: ", "))\n    FROM \(SQL.qualified(storage.schema, storage.name))\n    GROUP BY \(groups.joined(separator: ", "))"
    }

    func statements() -> [Statement] {
        hypertable.continuousAggregates.flatMap(statements)
    }

    func statements(_ aggregate: ContinuousAggregate) -> [Statement] {
        let view = name(aggregate), query = query(aggregate)
        let options = "timescaledb.continuous, timescaledb.materialized_only = \(aggregate.realTime ? "false" : "true")"
        let stamp = Self.stampPrefix + "WITH (\(options)) " + query
        return [
            Statement(key, "DO " + SQL.dollarQuoted("""

                BEGIN
                    IF pg_catalog.obj_description(pg_catalog.to_regclass(\(SQL.literal(view))), 'pg_class') IS DISTINCT FROM \(SQL.literal(stamp)) THEN
                        DROP MATERIALIZED VIEW IF EXISTS \(view) CASCADE;
                        CREATE MATERIALIZED VIEW \(view) WITH (\(options)) AS
                        \(query)
                        WITH NO DATA;
                        COMMENT ON VIEW \(view) IS \(SQL.literal(stamp));
                    END IF;
                END

                """), comment: "\(walled).\(aggregate.name): the continuous aggregate of \(table.qualifiedName) by \(spec.tenancy.column) and \(aggregate.bucket) buckets. Made again (its wall view with it) only when its query changes; the comment holds the query it was made from.\nCreated empty: refresh_continuous_aggregate cannot run in a transaction, so the refresh policy below fills it on its first run (or CALL refresh_continuous_aggregate as the owner)."),
            Statement(key, "ALTER MATERIALIZED VIEW \(view) OWNER TO \(SQL.ident(spec.roles.owner))",
                      comment: "Owned by the owner before its policy is added: the policy's job runs as the aggregate's owner."),
            Statement(key, "REVOKE ALL ON TABLE \(view) FROM PUBLIC, \(SQL.identList(uniqued(spec.roles.accessRoles)))",
                      comment: "No access role may name the aggregate: it is read through its wall view."),
            refreshPolicy(aggregate),
        ]
    }

    func refreshPolicy(_ aggregate: ContinuousAggregate) -> Statement {
        let r = aggregate.refresh, regclass = SQL.regclass(walled, aggregate.name)
        return Statement(key, "DO " + SQL.dollarQuoted("""

            DECLARE
                job integer;
                same boolean;
            BEGIN
                SELECT j.job_id, (j.config ->> 'start_offset')::interval = INTERVAL \(SQL.literal(r.startOffset))
                       AND (j.config ->> 'end_offset')::interval = INTERVAL \(SQL.literal(r.endOffset))
                       AND j.schedule_interval = INTERVAL \(SQL.literal(r.every))
                INTO job, same FROM timescaledb_information.jobs AS j
                WHERE j.proc_name = 'policy_refresh_continuous_aggregate' AND j.hypertable_schema = \(SQL.literal(walled))
                  AND j.hypertable_name = \(SQL.literal(aggregate.name));
                IF job IS NOT NULL AND same THEN
                    RETURN;
                END IF;
                IF job IS NOT NULL THEN
                    PERFORM remove_continuous_aggregate_policy(\(regclass));
                END IF;
                PERFORM add_continuous_aggregate_policy(\(regclass), start_offset => INTERVAL \(SQL.literal(r.startOffset)),
                    end_offset => INTERVAL \(SQL.literal(r.endOffset)), schedule_interval => INTERVAL \(SQL.literal(r.every)));
            END

            """), comment: "Refreshes the buckets from \(r.startOffset) to \(r.endOffset) ago every \(r.every), as the owner (who reads every row of the storage); replaced only when it differs.")
    }
}
